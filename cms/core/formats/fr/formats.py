# Django's French formats, with "à" between a date and its time
DATETIME_FORMAT = "j F Y à H:i"

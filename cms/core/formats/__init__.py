"""Date formats of the admin (``FORMAT_MODULE_PATH``), over Django's own per language: times on
24 hours in every language an association's admin speaks, never "5:52 p.m.", and a date and its
time joined as a sentence says them ("le 2 décembre 2026 à 17:52")."""

from django.dispatch import Signal

# Sent when a build that includes these items is live on the static site: only then can the
# networks fetch link cards, so syndication starts from here.
# provides args: page_ids (list[int]: items exported since the previous live build), build
items_live = Signal()

from django.dispatch import Signal

# Sent when a build that includes these items is live on the static site: only then can the
# networks fetch link cards, so syndication starts from here.
# provides args: page_ids (list[int]: items exported since the previous live build),
#   first_live_ids (list[int]: those of page_ids live for the first time, not re-exports), build
items_live = Signal()

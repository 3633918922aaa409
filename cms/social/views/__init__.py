"""Admin views of the social app: accounts and their connect flows (:mod:`.accounts`,
:mod:`.connect`), the ledger (:mod:`.ledger`) and the Social tab's live preview
(:mod:`.preview`)."""

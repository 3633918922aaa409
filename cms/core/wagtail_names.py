"""What Wagtail creates in English on a new installation, named as a French association reads it.

Wagtail's own migrations make the user groups "Moderators" and "Editors", the workflow and the
task "Moderators approval" (shown as "Soumettre à Moderators approval"), the root of the page
tree and of the collections ("Root"), and a first page. Migration ``core.0002`` renames them on
every installation, new or existing (with a copy of these names: a migration is history); the
demo and the tests use the names below.
"""

MODERATORS = "Modérateurs"
EDITORS = "Rédacteurs"
#: The default workflow and its one task, read after "Soumettre à" / "Resoumettre à".
MODERATION = "validation par les modérateurs"
ROOT = "Racine"
WELCOME = "Bienvenue sur votre nouveau site Wagtail !"

"""The blocks an item's body is made of. Each one has a Markdown form (see
``cms.publishing.markdown``), so that what editors compose survives the export to ``content/``."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = [
    "h2",
    "h3",
    "h4",
    "bold",
    "italic",
    "ol",
    "ul",
    "link",
    "document-link",
    "hr",
    "blockquote",
    "superscript",
    "subscript",
    "strikethrough",
    "code",
]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("texte alternatif"),
        max_length=250,
        help_text=_("Décrivez l'image pour les personnes qui ne la voient pas."),
    )
    caption = blocks.CharBlock(label=_("légende"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("citation"))
    attribution = blocks.CharBlock(label=_("auteur"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Citation")


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Texte"))
    image = ImageBlock()
    quote = QuoteBlock()
    embed = EmbedBlock(
        label=_("Vidéo ou contenu externe"),
        help_text=_("Adresse d'une vidéo (YouTube, Vimeo, PeerTube…) ou d'une publication."),
    )

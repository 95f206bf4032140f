"""The deck source format: one YAML file per guide section, validated here.

Text fields are Markdown. Math between ``\\( \\)`` or ``\\[ \\]`` is passed to Anki
untouched. ``cvcards schema`` prints the JSON Schema generated from these models
so that editors can validate and complete deck files.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class Strict(BaseModel):
    """Base model: unknown fields are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DiagramSpec(Strict):
    """A figure drawn by a registered generator, e.g. ``iou_overlap``."""

    generator: str = Field(description="Name of a registered diagram generator.")
    params: dict[str, Any] = Field(
        default_factory=dict, description="Parameters passed to the generator."
    )
    caption: str = Field(default="", description="Markdown shown under the figure.")


class CardBase(Strict):
    """Fields every card kind accepts."""

    id: str | None = Field(
        default=None,
        pattern=SLUG,
        description=(
            "Optional explicit identity within the note. Without it the lock file "
            "next to the decks keeps the card's identity across edits."
        ),
    )
    source: str | None = Field(
        default=None,
        description="Where a fact not in the guide comes from (paper, docs).",
    )
    tags: list[str] = Field(default_factory=list)
    diagram: str | None = Field(
        default=None, description="Name of one of the note's diagrams to show."
    )
    diagram_side: Literal["front", "back"] = "back"
    media: str | None = Field(
        default=None,
        description="Image file relative to the decks directory, shown on the back.",
    )


class BasicCard(CardBase):
    """A question and its answer."""

    kind: Literal["basic"] = "basic"
    front: str = Field(min_length=1)
    back: str = Field(min_length=1)


class ClozeCard(CardBase):
    """Text with deletions ``{{c1::answer}}`` or ``{{c1::answer::hint}}``.

    Deletions sharing a number are asked together on one card, as in Anki.
    """

    kind: Literal["cloze"]
    text: str = Field(min_length=1)


class StepsCard(CardBase):
    """An ordered procedure; each step becomes a card shown between its neighbours."""

    kind: Literal["steps"]
    title: str = Field(min_length=1, description="What the steps achieve.")
    steps: list[str] = Field(min_length=2)


class TableRow(Strict):
    """One dimension of a comparison, with a cell per system."""

    dimension: str = Field(min_length=1)
    cells: dict[str, str]


class TableCard(CardBase):
    """A comparison of systems by dimension; each filled cell becomes a card."""

    kind: Literal["table"]
    title: str = Field(min_length=1)
    systems: list[str] = Field(min_length=2)
    rows: list[TableRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _cells_name_systems(self) -> TableCard:
        for row in self.rows:
            unknown = sorted(set(row.cells) - set(self.systems))
            if unknown:
                raise ValueError(
                    f"row {row.dimension!r} has cells for {', '.join(unknown)}, "
                    f"which are not among systems {self.systems}; "
                    "add them to systems or fix the cell name"
                )
        return self


def _card_kind(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("kind", "basic"))
    return str(getattr(value, "kind", "basic"))


CardSource = Annotated[
    Annotated[BasicCard, Tag("basic")]
    | Annotated[ClozeCard, Tag("cloze")]
    | Annotated[StepsCard, Tag("steps")]
    | Annotated[TableCard, Tag("table")],
    Discriminator(_card_kind),
]


class Note(Strict):
    """One interview question (or one topic of the guide) with its material."""

    id: str = Field(
        pattern=SLUG,
        description="Permanent, unique id; card identities derive from it.",
    )
    topic: str = Field(min_length=1, description="Short topic label, e.g. 'NMS'.")
    question: str = Field(min_length=1)
    why: str = Field(default="", description="Why interviewers ask it.")
    evaluates: list[str] = Field(
        default_factory=list, description="What interviewers evaluate."
    )
    framework: list[str] = Field(
        default_factory=list, description="The answer framework, as checklist points."
    )
    sample_answer: str = ""
    tags: list[str] = Field(default_factory=list)
    source: str = Field(
        default="guide", description="Where the note's facts come from."
    )
    diagrams: dict[str, DiagramSpec] = Field(default_factory=dict)
    cards: list[CardSource] = Field(min_length=1)

    @field_validator("tags")
    @classmethod
    def _tags_have_no_spaces(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not tag or any(ch.isspace() for ch in tag):
                raise ValueError(
                    f"tag {tag!r} is empty or has spaces; Anki splits tags on "
                    "spaces, so use hyphens"
                )
        return tags


class DeckFile(Strict):
    """One section of the guide: a YAML file under ``decks/``."""

    section: str = Field(pattern=SLUG, description="Section id; the Anki subdeck.")
    title: str = Field(min_length=1, description="The guide section's title.")
    order: int = Field(ge=0, description="Position of the section in the guide.")
    notes: list[Note] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a deck file."""
    schema = DeckFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cvcards deck file"
    return schema

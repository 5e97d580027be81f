"""The catalogue item: one typed record shared by every layer."""

from __future__ import annotations

from pydantic import BaseModel, Field

# MPAA ratings from most to least family-safe; ``None`` means unknown.
MPAA_ORDER: tuple[str, ...] = ("G", "PG", "PG-13", "R", "NC-17")
CAST_KEPT = 8
ACCLAIMED_METACRITIC = 81  # Metacritic's "universal acclaim" starts here


class Item(BaseModel):
    """A catalogue entry (a movie by default; any item type by ingest)."""

    id: str
    title: str
    year: int | None = None
    genres: list[str] = Field(default_factory=list)
    runtime: int | None = None  # minutes
    mpaa: str | None = None
    rating: float | None = None  # e.g. IMDb rating, 0-10
    votes: int | None = None
    popularity: int = 0  # number of interactions in the catalogue's ratings
    mean_rating: float | None = None  # mean user rating in the catalogue's ratings (0-5)
    item_type: str = "movie"
    description: str = ""
    directors: list[str] = Field(default_factory=list)
    cast: list[str] = Field(default_factory=list)  # the best-known members, at most CAST_KEPT
    languages: list[str] = Field(default_factory=list)  # spoken ("French")
    countries: list[str] = Field(default_factory=list)  # of production
    oscars: int = 0  # Academy Awards won
    metacritic: int | None = None  # critics' score, 0-100

    @property
    def people(self) -> list[str]:
        return list(dict.fromkeys(self.directors + self.cast))

    @property
    def name(self) -> str:
        """The title as people write it ('The Godfather', not 'Godfather, The')."""
        from retrieval.titles import pretty_title

        return pretty_title(self.title)

    @property
    def display_title(self) -> str:
        return f"{self.name} ({self.year})" if self.year else self.name

    def document(self) -> str:
        """The text embedded for semantic retrieval."""
        parts = [self.display_title + "."]
        if self.genres:
            parts.append("Genres: " + ", ".join(self.genres) + ".")
        parts += self.origin()
        if self.description:
            parts.append(self.description)
        return " ".join(parts)

    def origin(self) -> list[str]:
        """Languages and countries of a film not in English / not from the US: part of the embedded
        text, so "a French comedy" retrieves French films."""
        out = []
        if self.languages and "English" not in self.languages:
            out.append(f"Language: {', '.join(self.languages)}.")
        if self.countries and "United States" not in self.countries:
            out.append(f"Country: {', '.join(self.countries)}.")
        return out

    def recognition(self) -> list[str]:
        """Oscars won ("Oscar winners") and critics' acclaim ("critically acclaimed": a Metacritic
        score of 81 or more, Metacritic's own "universal acclaim"). Matched as described wishes
        (``retrieval.described``) but not embedded: on ReDial dev the sentences moved the
        embeddings of the best-known films and cost R@10."""
        out = []
        if self.oscars:
            out.append(f"Oscar winner ({self.oscars} Oscar{'s' if self.oscars > 1 else ''}).")
        if self.metacritic is not None and self.metacritic >= ACCLAIMED_METACRITIC:
            out.append(f"Critically acclaimed (Metacritic {self.metacritic}).")
        return out

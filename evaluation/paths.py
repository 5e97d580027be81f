"""Where the benchmark files are by default: ``../shared/data`` beside the project root."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    return PROJECT_ROOT.parent / "shared" / "data"


def default_file(*parts: str) -> Path:
    return shared_data_dir().joinpath(*parts)


REDIAL_DIALOGUES = ("redial", "dev_data.jsonl")
REDIAL_MOVIES = ("redial", "movies_with_mentions.csv")
INSPIRED_DIALOGUES = ("inspired", "dev.tsv")
REDIAL_TRAIN = ("redial", "train_data.jsonl")
REDIAL_MOVIE_INFO = ("redial", "movie_info.json")
MOVIELENS_KEYWORDS = ("movielens", "ml-25m-movies", "movies_w_keywords.csv")
WIKIPEDIA_MOVIES = ("wikipedia-movies",)
WIKIPEDIA_FILES = ("movies-2000s.json", "movies-2010s.json", "movies-2020s.json")

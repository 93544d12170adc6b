"""Episode datasets: the file contract, atomic writes, expert collection, validated loading."""

from genreward.data.dataset import Dataset, EpisodeRecord, load_dataset
from genreward.data.episode import DatasetError, Episode, load_episode, save_episode

__all__ = [
    "Dataset",
    "DatasetError",
    "Episode",
    "EpisodeRecord",
    "load_dataset",
    "load_episode",
    "save_episode",
]

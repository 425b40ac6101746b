#!/usr/bin/env python3
"""Writes reviews.json: 40 short reviews written for the project, each labelled positive, negative or
neutral, every word replaced by its exact embedding in Q^3 (WORDS below). Coordinates: sentiment
(+ good, - bad), strength, and a third axis for the neutral judgement words. Run with --check to
verify that the shipped file is what this script writes."""
import json, sys, os

WORDS = {
    # sentiment-carrying words: long vectors
    "great": ["3", "1", "0"], "good": ["2", "1", "0"], "excellent": ["4", "1", "1/2"], "love": ["3", "2", "0"],
    "fun": ["2", "0", "1/2"], "superb": ["4", "2", "0"], "enjoyed": ["5/2", "1", "0"],
    "bad": ["-2", "1", "0"], "awful": ["-4", "1", "1/2"], "boring": ["-2", "0", "1/2"], "hate": ["-3", "2", "0"],
    "terrible": ["-4", "2", "0"], "dull": ["-5/2", "1", "0"], "waste": ["-3", "1", "-1/2"],
    "okay": ["0", "1", "3"], "average": ["0", "1", "5/2"], "fine": ["1/2", "0", "2"], "mixed": ["0", "0", "3"],
    # context words: short vectors
    "the": ["0", "0", "0"], "movie": ["1/4", "1/2", "0"], "plot": ["0", "1/2", "1/4"], "acting": ["-1/4", "1/2", "0"],
    "film": ["1/4", "1/4", "1/4"], "ending": ["0", "1/4", "-1/4"], "cast": ["1/4", "0", "1/4"],
    "music": ["-1/4", "1/4", "1/4"], "story": ["1/2", "0", "0"], "was": ["0", "1/4", "0"], "and": ["0", "0", "1/4"],
    "very": ["0", "1", "0"], "really": ["0", "3/4", "1/4"],
}

REVIEWS = [
    ("great movie", "positive"), ("good plot and great acting", "positive"), ("excellent film", "positive"),
    ("love the music", "positive"), ("fun story", "positive"), ("superb cast", "positive"),
    ("enjoyed the ending", "positive"), ("really good movie", "positive"), ("very fun film", "positive"),
    ("great story and superb music", "positive"), ("love the cast", "positive"), ("excellent acting", "positive"),
    ("enjoyed the movie very", "positive"), ("good music", "positive"),
    ("bad movie", "negative"), ("awful plot", "negative"), ("boring film", "negative"), ("hate the ending", "negative"),
    ("terrible acting", "negative"), ("dull story", "negative"), ("waste of a film", "negative"),
    ("really bad music", "negative"), ("very boring movie", "negative"), ("awful cast and dull plot", "negative"),
    ("hate the music", "negative"), ("terrible movie", "negative"), ("the ending was dull", "negative"),
    ("okay movie", "neutral"), ("average plot", "neutral"), ("fine acting", "neutral"), ("mixed ending", "neutral"),
    ("okay story and fine music", "neutral"), ("the film was average", "neutral"), ("mixed cast", "neutral"),
    ("fine movie", "neutral"), ("average music", "neutral"), ("okay acting", "neutral"), ("the plot was fine", "neutral"),
    ("really average film", "neutral"), ("very mixed story", "neutral"),
]

def build():
    pairs = []
    for text, label in REVIEWS:
        words = [w for w in text.split() if w in WORDS]  # "of", "a" carry no vector: left out
        pairs.append({"input": [WORDS[w] for w in words], "label": label})
    return {"name": "sentiment: 40 short reviews, exact word embedding in Q^3", "dimension": 3, "pairs": pairs}

def text():
    return json.dumps(build(), indent=1) + "\n"

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "reviews.json")
    if "--check" in sys.argv:
        with open(path) as f:
            if f.read() != text():
                sys.exit("reviews.json differs from what build_reviews.py writes")
        print("reviews.json: up to date (%d reviews)" % len(REVIEWS))
    else:
        with open(path, "w") as f:
            f.write(text())
        words = json.dumps({w: WORDS[w] for w in sorted(WORDS)}, indent=1) + "\n"
        with open(os.path.join(here, "words.json"), "w") as f:
            f.write(words)

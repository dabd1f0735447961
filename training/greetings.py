"""The 20 greetings of the eval and the rule that says an answer to one is non-empty and on topic.

The rule: the answer (cut at its stop token) is non-empty, and one of its first 12 words is exactly
a word of the category's list below. A story that starts "Once upon a time, there was a little girl
named Lily" fails for every category: the answer has to address the message in its opening.
"""

from __future__ import annotations

from llada_demo.scoring.text_metrics import words

FIRST_WORDS = 12

# Words that show an answer addresses the message. Deliberately broad but category-specific.
TOPIC_WORDS = {
    "greeting": ("hi", "hello", "hey", "morning", "evening", "afternoon", "welcome", "glad", "nice", "happy"),
    "how_are_you": ("good", "fine", "happy", "great", "well", "okay", "ok", "thank", "thanks"),
    "identity": ("i", "i'm", "my", "me", "model", "robot", "story", "stories", "name"),
    "thanks": ("welcome", "glad", "happy", "pleasure", "thank", "thanks", "liked"),
    "farewell": ("bye", "goodbye", "see", "night", "soon", "later", "dreams"),
}

# (category, message). The first 10 are forms the v2 SFT data contains; the last 10 are not in it
# (checked by a test), so the share on them says whether the habit generalises.
EVAL_GREETINGS = (
    ("greeting", "Hi"), ("greeting", "Hello"), ("greeting", "Hey"), ("greeting", "Good morning"),
    ("identity", "Who are you?"), ("identity", "What is your name?"), ("identity", "What can you do?"),
    ("thanks", "Thank you"), ("thanks", "Thanks!"), ("farewell", "Goodbye"),
    ("greeting", "Hi, nice to meet you!"), ("greeting", "hello!!! anyone there?"), ("greeting", "Heya"),
    ("how_are_you", "How are you today?"), ("how_are_you", "Hey, how's your day?"),
    ("identity", "Who made you?"), ("identity", "Are you a person?"),
    ("thanks", "thx, that was fun"), ("thanks", "Thank you, story teller!"), ("farewell", "ok bye for now"),
)
SEEN_IN_SFT = 10


def on_topic(answer: str, category: str) -> bool:
    """The rule above: non-empty and a category word among the first FIRST_WORDS words."""
    return bool(set(words(answer)[:FIRST_WORDS]) & set(TOPIC_WORDS[category]))

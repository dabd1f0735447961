"""A short chat run made the Branch tab's run to branch from, for API tests whose run's size does not matter."""

from llada_demo.models.registry import default_model_name


def short_run_to_branch_from(client, prompt: str) -> None:
    """A 32-token, 16-step chat run, then "Branch from the chat's last run" (the tab's own run takes 128 steps)."""
    client.predict(prompt, [], default_model_name("diffusion"), 32, 16, 32, "low_confidence", 0.9, 0.0, 0.0, 0,
                   "none", "confidence", api_name="/chat")
    client.predict(api_name="/branch_from_chat")

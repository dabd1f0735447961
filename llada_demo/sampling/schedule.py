"""LLaDA's linear transfer schedule: how many masked tokens each step of a block commits."""


def transfer_schedule(masked: int, steps: int) -> list[int]:
    """Split `masked` tokens over `steps` steps: masked // steps each, one more for the first masked % steps."""
    base, extra = divmod(masked, steps)
    return [base + (1 if i < extra else 0) for i in range(steps)]

"""What each denoising forward pass feeds (the whole sequence, or Fast-dLLM's prefix or dual KV cache) and
where it runs the output head (every answer position, or the current block)."""

from __future__ import annotations

import torch

# name -> what it does, for the UI and the CLI help.
CACHE_MODES = {
    "none": "Exact: every step runs the whole sequence through the model (the official sampler).",
    "prefix": "Prefix cache: a full pass at the start of each block, then only the block and what follows it; "
              "keys/values before the block are reused (an approximation).",
    "dual": "Dual cache: a full pass at the start of each block, then only the block itself; keys/values "
            "before and after it are reused (fastest, a coarser approximation).",
}


# Where the exact pass runs the output head, for the UI and the CLI help. Commits only ever use the block's
# rows, so both give the same answer; "block" refreshes the hover guesses elsewhere once per block.
GUESS_MODES = {
    "all": "Every step scores every answer position (the heatmap shows each position's guess at every step).",
    "block": "After a block's first step only the block is scored: the same answer, less work per step.",
}


class FullForward:
    """The exact pass: the whole (prompt + answer) sequence every step, logits for every answer position.

    Called with the current sequence, it returns (logits, offset): guided logits for answer
    positions offset, offset + 1, ... Classifier-free guidance runs a second copy whose prompt
    is all [MASK] in the same batch and combines un + (cfg_scale + 1) * (cond - un), in the
    model's dtype as the official code does.
    """

    def __init__(self, model, prompt_index: torch.Tensor, prompt_length: int, cfg_scale: float,
                 all_guesses: bool = True):
        self.model = model
        self.prompt_index = prompt_index
        self.prompt_length = prompt_length
        self.cfg_scale = cfg_scale
        self.all_guesses = all_guesses
        self.lo = self.hi = 0
        self.block_started = False

    def start_block(self, lo: int, hi: int) -> None:
        """The sampler moves on to answer positions [lo, hi)."""
        self.lo, self.hi = lo, hi
        self.block_started = True

    def batch(self, x: torch.Tensor) -> torch.Tensor:
        if self.cfg_scale > 0:
            unconditional = x.clone()
            unconditional[self.prompt_index] = self.model.config.mask_token_id
            return torch.cat([x, unconditional])
        return x

    def guided(self, logits: torch.Tensor) -> torch.Tensor:
        if self.cfg_scale > 0:
            cond, uncond = logits[0], logits[1]
            return uncond + (self.cfg_scale + 1) * (cond - uncond)
        return logits[0]

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, int]:
        if self.all_guesses or self.block_started:
            self.block_started = False
            logits = self.model(self.batch(x), logits_positions=slice(self.prompt_length, None)).logits
            return self.guided(logits), 0
        rows = slice(self.prompt_length + self.lo, self.prompt_length + self.hi)
        return self.guided(self.model(self.batch(x), logits_positions=rows).logits), self.lo


class PrefixCache(FullForward):
    """Fast-dLLM's prefix cache: the first step of a block is a full pass that stores every layer's
    keys/values; later steps of the block feed only the block and the positions after it, attend to
    the stored keys/values of everything before the block, and compute logits for the block only."""

    feeds_suffix = True

    def _kept(self, presents: list, start: int, end: int) -> tuple:
        """Per layer, the keys/values to reuse: positions before `start` (and from `end` on, for dual).

        Copies (a compiled model may reuse its output buffers on the next call), made one layer at a
        time while dropping that layer's full keys/values, so the copy never doubles the cache in memory.
        """
        kept = []
        for index in range(len(presents)):
            (k, v), presents[index] = presents[index], None
            if self.feeds_suffix:
                kept.append((k[:, :, :start].contiguous(), v[:, :, :start].contiguous()))
            else:
                kept.append((torch.cat((k[:, :, :start], k[:, :, end:]), dim=2),
                             torch.cat((v[:, :, :start], v[:, :, end:]), dim=2)))
            del k, v
        return tuple(kept)

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, int]:
        inputs = self.batch(x)
        start, end = self.prompt_length + self.lo, self.prompt_length + self.hi
        if self.block_started:  # the block's first pass: full, and it refreshes the cache
            self.block_started = False
            out = self.model(inputs, logits_positions=slice(self.prompt_length, None), use_cache=True)
            logits, presents = out.logits, list(out.past_key_values)
            del out  # the output no longer holds the full keys/values: _kept frees them layer by layer
            self.past = self._kept(presents, start, end)
            return self.guided(logits), 0
        stop = inputs.shape[1] if self.feeds_suffix else end
        positions = torch.arange(start, stop, device=inputs.device)
        out = self.model(inputs[:, start:stop], position_ids=positions, past_key_values=self.past,
                         logits_positions=slice(0, end - start))
        return self.guided(out.logits), self.lo


class DualCache(PrefixCache):
    """Fast-dLLM's dual cache: like the prefix cache, but later steps feed only the block and also reuse
    the (stale) keys/values of the positions after it."""

    feeds_suffix = False


FORWARDS = {"none": FullForward, "prefix": PrefixCache, "dual": DualCache}


def make_forward(mode: str, model, prompt_index: torch.Tensor, prompt_length: int, cfg_scale: float,
                 guesses: str = "all") -> FullForward:
    return FORWARDS[mode](model, prompt_index, prompt_length, cfg_scale, all_guesses=guesses == "all")

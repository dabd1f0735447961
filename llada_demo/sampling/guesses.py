"""What the model would put at each answer position: the best guess and its probability (the hover and the
heatmap), and for positions still masked the top-k behind it (the candidates popover)."""

from __future__ import annotations

import torch

TOP_K = 5  # candidates recorded per masked answer position per step (the grid's "what else it considered")


def _top(scores: torch.Tensor, mask_id: int, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k best non-[MASK] tokens of each row of `scores` and their probabilities under the full softmax.

    In float32, whatever the model's dtype. log_softmax is one fused pass over the vocabulary (cheaper than
    logsumexp, which runs several), and its output is a fresh tensor that may be written into."""
    log_probs = torch.log_softmax(scores.float(), dim=-1)
    log_probs[:, mask_id] = -torch.inf  # after normalising: [MASK] still counts in the softmax
    k = min(k, scores.shape[-1] - 1)
    if k == 1:  # max is cheaper than topk; both take the first of equal values
        best, ids = log_probs.max(dim=-1, keepdim=True)
    else:
        best, ids = log_probs.topk(k, dim=-1)
    return ids, best.exp()


def top_guesses(logits: torch.Tensor, mask_id: int, k: int = TOP_K,
                rows: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row, the k most likely tokens other than [MASK] ([n, k], best first) and their probabilities
    under the full softmax.

    Works through `rows` rows at a time in float32, so a long answer over a 126k vocabulary never
    holds more than one chunk of float32 scores (memory stays near the weights at gen_length 1024).
    """
    tokens, probs = [], []
    for chunk in logits.split(rows):
        ids, p = _top(chunk, mask_id, k)
        tokens.append(ids)
        probs.append(p)
    if not tokens:
        return logits.new_zeros((0, k), dtype=torch.long), logits.new_zeros((0, k), dtype=torch.float32)
    return torch.cat(tokens), torch.cat(probs)


def best_guesses(logits: torch.Tensor, mask_id: int, rows: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row, the most likely token other than [MASK] and its probability under the full softmax."""
    tokens, probs = top_guesses(logits, mask_id, k=1, rows=rows)
    return tokens[:, 0], probs[:, 0]


class Guesses:
    """The model's latest guess at every answer position and its probability; the top-k only where the position
    is still masked (a committed cell shows the candidates of the step that chose it, kept in that step's record).

    A pass that scores only some positions (the block, with guesses="block" or a cache) leaves the others' last
    values. Kept on the device in the dtypes a record stores, so a record copies rows out and converts nothing.
    """

    def __init__(self, length: int, mask_id: int, device: torch.device):
        self.mask_id = mask_id
        self.predicted = torch.zeros(length, dtype=torch.int32, device=device)
        self.confidence = torch.zeros(length, dtype=torch.float32, device=device)
        self.top_ids = torch.zeros(length, TOP_K, dtype=torch.int32, device=device)
        self.top_probs = torch.zeros(length, TOP_K, dtype=torch.float16, device=device)

    def update(self, logits: torch.Tensor, offset: int, masked: torch.Tensor, rows: int = 128) -> None:
        """Score `logits`' rows (answer positions offset, offset + 1, ...): the top-k where `masked` ([gen_length]
        bool), the best guess alone elsewhere. `rows` at a time: a chunk holds the selected rows and their float32
        log-probabilities (65 MB at 128 rows of a 126k vocabulary), plus a float32 copy for a bf16 model."""
        scored = masked[offset:offset + len(logits)]
        for where, k in ((scored, TOP_K), (~scored, 1)):
            index = torch.nonzero(where).flatten()
            for chunk in index.split(rows):
                ids, probs = _top(logits.index_select(0, chunk), self.mask_id, k)
                positions = chunk + offset
                self.predicted[positions], self.confidence[positions] = ids[:, 0].int(), probs[:, 0]
                if k == TOP_K:  # fewer columns only with a vocabulary of TOP_K tokens or fewer
                    self.top_ids[positions, :ids.shape[1]] = ids.int()
                    self.top_probs[positions, :ids.shape[1]] = probs.half()

    def hold(self, positions: torch.Tensor, tokens: torch.Tensor, probs: torch.Tensor) -> None:
        """Show these tokens as the guess at these positions until a pass predicts them again."""
        self.predicted[positions], self.confidence[positions] = tokens.int(), probs.float()

"""The official LLaDA generate() loop, written plainly from the published semantics of its generate.py: the
reference the tests hold the sampler to, and the naive loop the benchmarks time it against.

Deliberately naive, as the official code is: every step runs the whole sequence (prompt included) through the
output head and takes a float64 softmax over the whole vocabulary at every position.
"""

import torch
import torch.nn.functional as F


def add_gumbel_noise(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """exp(logits) / (-log U)^temperature in float64; temperature 0 leaves the logits as they are (greedy)."""
    if temperature == 0:
        return logits
    logits = logits.to(torch.float64)
    noise = torch.rand_like(logits, dtype=torch.float64)
    return logits.exp() / (-torch.log(noise)) ** temperature


def transfer_counts(masked: int, steps: int) -> list[int]:
    """Tokens committed at each step of a block: masked // steps each, one more for the first masked % steps."""
    return [masked // steps + (1 if i < masked % steps else 0) for i in range(steps)]


@torch.no_grad()
def generate(model, prompt, steps=128, gen_length=128, block_length=128, temperature=0.0, cfg_scale=0.0,
             remasking="low_confidence", mask_id=None, history=None):
    """[1, L + gen_length] ids: `prompt` ([1, L]) and the answer. When `history` is a list, each step appends
    {answer position: token} of what it committed."""
    mask_id = model.config.mask_token_id if mask_id is None else mask_id
    length = prompt.shape[1]
    x = torch.full((1, length + gen_length), mask_id, dtype=torch.long, device=prompt.device)
    x[:, :length] = prompt
    prompt_index = x != mask_id
    assert gen_length % block_length == 0
    num_blocks = gen_length // block_length
    assert steps % num_blocks == 0
    steps_per_block = steps // num_blocks

    for block in range(num_blocks):
        start, end = length + block * block_length, length + (block + 1) * block_length
        counts = transfer_counts(int((x[0, start:end] == mask_id).sum()), steps_per_block)
        for i in range(steps_per_block):
            mask_index = x == mask_id
            if cfg_scale > 0:  # the unconditional copy (prompt blanked) runs in the same batch
                unconditional = x.clone()
                unconditional[prompt_index] = mask_id
                cond, uncond = torch.chunk(model(torch.cat([x, unconditional])).logits, 2)
                logits = uncond + (cfg_scale + 1) * (cond - uncond)
            else:
                logits = model(x).logits
            x0 = torch.argmax(add_gumbel_noise(logits, temperature), dim=-1)
            if remasking == "low_confidence":
                p = F.softmax(logits.to(torch.float64), dim=-1)
                x0_p = torch.gather(p, -1, x0[..., None]).squeeze(-1)
            elif remasking == "random":
                x0_p = torch.rand(x0.shape, dtype=torch.float64, device=x0.device)
            else:
                raise NotImplementedError(remasking)
            x0_p[:, end:] = -torch.inf  # nothing after the current block
            x0 = torch.where(mask_index, x0, x)
            confidence = torch.where(mask_index, x0_p, -torch.inf)
            _, select = torch.topk(confidence[0], k=counts[i])
            x[0, select] = x0[0, select]
            if history is not None:
                history.append({int(s) - length: int(x0[0, s]) for s in select})
    return x

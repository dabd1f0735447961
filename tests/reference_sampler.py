"""An independent reference of the official LLaDA generate(), written from REFERENCE.md's semantics.

It records, per step, which positions were committed with which tokens, so tests can compare
step by step. Deliberately plain: full-sequence logits, full-sequence top-k, float64 softmax.
"""

import numpy as np
import torch
import torch.nn.functional as F


def reference_generate(model, prompt, steps, gen_length, block_length, cfg_scale=0.0, mask_id=None):
    mask_id = model.config.mask_token_id if mask_id is None else mask_id
    x = torch.full((1, prompt.shape[1] + gen_length), mask_id, dtype=torch.long)
    x[:, : prompt.shape[1]] = prompt
    prompt_index = x != mask_id
    assert gen_length % block_length == 0
    num_blocks = gen_length // block_length
    assert steps % num_blocks == 0
    per_block = steps // num_blocks
    history = []
    for block in range(num_blocks):
        start = prompt.shape[1] + block * block_length
        masked = int((x[0, start : start + block_length] == mask_id).sum())
        counts = [masked // per_block + (1 if i < masked % per_block else 0) for i in range(per_block)]
        for i in range(per_block):
            mask_index = x == mask_id
            if cfg_scale > 0:
                un_x = x.clone()
                un_x[prompt_index] = mask_id
                logits = model(torch.cat([x, un_x], dim=0)).logits
                cond, uncond = torch.chunk(logits, 2, dim=0)
                logits = uncond + (cfg_scale + 1) * (cond - uncond)
            else:
                logits = model(x).logits
            x0 = torch.argmax(logits, dim=-1)
            p = F.softmax(logits.to(torch.float64), dim=-1)
            x0_p = torch.gather(p, -1, x0.unsqueeze(-1)).squeeze(-1)
            x0_p[:, start + block_length :] = -np.inf
            x0 = torch.where(mask_index, x0, x)
            confidence = torch.where(mask_index, x0_p, torch.tensor(-np.inf, dtype=torch.float64))
            _, select = torch.topk(confidence[0], k=counts[i])
            x[0, select] = x0[0, select]
            history.append({int(s) - prompt.shape[1]: int(x0[0, s]) for s in select})
    return x[0], history

"""The naive reference: the official generate() loop, written plainly (full forward + full float64 softmax per step)."""

import numpy as np
import torch
import torch.nn.functional as F


@torch.no_grad()
def naive_generate(model, prompt, steps, gen_length, block_length):
    mask_id = model.config.mask_token_id
    x = torch.full((1, prompt.shape[1] + gen_length), mask_id, dtype=torch.long, device=prompt.device)
    x[:, : prompt.shape[1]] = prompt
    num_blocks = gen_length // block_length
    per_block = steps // num_blocks
    for block in range(num_blocks):
        start = prompt.shape[1] + block * block_length
        block_mask = x[:, start : start + block_length] == mask_id
        masked = block_mask.sum(dim=1, keepdim=True)
        counts = torch.zeros(1, per_block, dtype=torch.long, device=x.device) + masked // per_block
        counts[0, : int(masked % per_block)] += 1
        for i in range(per_block):
            mask_index = x == mask_id
            logits = model(x).logits
            x0 = torch.argmax(logits, dim=-1)
            p = F.softmax(logits.to(torch.float64), dim=-1)
            x0_p = torch.squeeze(torch.gather(p, dim=-1, index=torch.unsqueeze(x0, -1)), -1)
            x0_p[:, start + block_length :] = -np.inf
            x0 = torch.where(mask_index, x0, x)
            confidence = torch.where(mask_index, x0_p, -np.inf)
            transfer = torch.zeros_like(x0, dtype=torch.bool)
            _, select = torch.topk(confidence[0], k=int(counts[0, i]))
            transfer[0, select] = True
            x[transfer] = x0[transfer]
    return x

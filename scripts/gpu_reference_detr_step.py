#!/usr/bin/env python3
"""The reference side of scripts/gpu-check.sh: a PyTorch DETR-R50 timed as `detrsharp bench detr-step` times its own.

Only the GPU check uses this file; DetrSharp, its tests and CI never need Python. It rebuilds facebookresearch/detr's
default model (ResNet-50 with frozen BatchNorm from torchvision, stem and layer1 frozen; sine positions; a post-norm
6+6-layer transformer, 256 wide, 8 heads, FFN 2048, dropout 0.1; 100 queries; aux loss) and its training step
(Hungarian matching on the CPU with scipy, SetCriterion: CE with eos_coef 0.1, L1 x5, GIoU x2 over every decoder layer;
backward; clip 0.1; AdamW lr 1e-4, backbone 1e-5, weight decay 1e-4), on random data of the benchmark's shapes:
training batch 2 of 512x512 with 8 boxes per image, inference 1x800x1066. Random init, as the benchmark.
Precisions as the benchmark's: fp32, bf16 (autocast) and fp16 (autocast + GradScaler); LayerNorm takes float32, as
CUDA's autocast gives it (written out so that CPU autocast, which lacks that rule in PyTorch 1.13, runs too). Prints one
JSON line per case.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

try:
    import torchvision
    from torchvision.ops.misc import FrozenBatchNorm2d
    from scipy.optimize import linear_sum_assignment
except ImportError as e:  # the check reports the reference as skipped, not failed
    print(json.dumps({"case": "reference", "skipped": f"needs torchvision and scipy: {e}"}))
    sys.exit(0)


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        body = torchvision.models.resnet50(norm_layer=FrozenBatchNorm2d)
        for name, p in body.named_parameters():
            if not name.startswith(("layer2", "layer3", "layer4")):
                p.requires_grad_(False)
        self.body = nn.Sequential(body.conv1, body.bn1, body.relu, body.maxpool, body.layer1, body.layer2, body.layer3, body.layer4)

    def forward(self, x, mask):
        f = self.body(x)  # [B, 2048, H/32, W/32]
        m = F.interpolate(mask[None].float(), size=f.shape[-2:]).to(torch.bool)[0]
        return f, m


def sine_positions(mask, d=128, temperature=10000.0):
    not_mask = (~mask).float()  # [B, H, W]
    y = not_mask.cumsum(1)
    x = not_mask.cumsum(2)
    eps, scale = 1e-6, 2 * math.pi
    y = y / (y[:, -1:, :] + eps) * scale
    x = x / (x[:, :, -1:] + eps) * scale
    dim_t = torch.arange(d, dtype=torch.float32, device=mask.device)
    dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / d)
    px, py = x[..., None] / dim_t, y[..., None] / dim_t
    px = torch.stack((px[..., 0::2].sin(), px[..., 1::2].cos()), dim=4).flatten(3)
    py = torch.stack((py[..., 0::2].sin(), py[..., 1::2].cos()), dim=4).flatten(3)
    return torch.cat((py, px), dim=3).permute(0, 3, 1, 2)  # [B, 256, H, W]


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ffn, dropout):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, dropout=dropout)
        self.ff = nn.Sequential(nn.Linear(d, ffn), nn.ReLU(), nn.Dropout(dropout), nn.Linear(ffn, d))
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.d1, self.d2 = nn.Dropout(dropout), nn.Dropout(dropout)

    def forward(self, src, pos, key_padding_mask):
        q = src + pos
        src = self.n1((src + self.d1(self.attn(q, q, src, key_padding_mask=key_padding_mask)[0])).float())
        return self.n2((src + self.d2(self.ff(src))).float())


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, ffn, dropout):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d, heads, dropout=dropout)
        self.cross_attn = nn.MultiheadAttention(d, heads, dropout=dropout)
        self.ff = nn.Sequential(nn.Linear(d, ffn), nn.ReLU(), nn.Dropout(dropout), nn.Linear(ffn, d))
        self.n1, self.n2, self.n3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.d1, self.d2, self.d3 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def forward(self, tgt, memory, pos, query_pos, memory_mask):
        q = tgt + query_pos
        tgt = self.n1((tgt + self.d1(self.self_attn(q, q, tgt)[0])).float())
        tgt = self.n2((tgt + self.d2(self.cross_attn(tgt + query_pos, memory + pos, memory, key_padding_mask=memory_mask)[0])).float())
        return self.n3((tgt + self.d3(self.ff(tgt))).float())


class DETR(nn.Module):
    def __init__(self, num_classes=91, d=256, heads=8, layers=6, ffn=2048, dropout=0.1, queries=100):
        super().__init__()
        self.backbone = Backbone()
        self.input_proj = nn.Conv2d(2048, d, 1)
        self.encoder = nn.ModuleList(EncoderLayer(d, heads, ffn, dropout) for _ in range(layers))
        self.decoder = nn.ModuleList(DecoderLayer(d, heads, ffn, dropout) for _ in range(layers))
        self.decoder_norm = nn.LayerNorm(d)
        self.query_embed = nn.Embedding(queries, d)
        self.class_embed = nn.Linear(d, num_classes + 1)
        self.bbox_embed = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 4))

    def forward(self, images, mask):
        f, m = self.backbone(images, mask)
        pos = sine_positions(m).to(f.dtype).flatten(2).permute(2, 0, 1)  # [HW, B, 256]
        src = self.input_proj(f).flatten(2).permute(2, 0, 1)            # [HW, B, 256]
        m = m.flatten(1)                                                 # [B, HW]
        for layer in self.encoder:
            src = layer(src, pos, m)
        query_pos = self.query_embed.weight[:, None].repeat(1, images.shape[0], 1)  # [Q, B, 256]
        tgt = torch.zeros_like(query_pos)
        hs = []
        for layer in self.decoder:
            tgt = layer(tgt, src, pos, query_pos, m)
            hs.append(self.decoder_norm(tgt.float()))
        hs = torch.stack(hs).transpose(1, 2)  # [layers, B, Q, 256]
        return self.class_embed(hs), self.bbox_embed(hs).sigmoid()


def box_xyxy(b):
    cx, cy, w, h = b.unbind(-1)
    return torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), -1)


def generalized_iou(a, b):  # [N, 4], [M, 4] xyxy -> [N, M]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt, rb = torch.max(a[:, None, :2], b[:, :2]), torch.min(a[:, None, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a[:, None] + area_b - inter
    iou = inter / union
    lt, rb = torch.min(a[:, None, :2], b[:, :2]), torch.max(a[:, None, 2:], b[:, 2:])
    hull = (rb - lt).clamp(min=0).prod(-1)
    return iou - (hull - union) / hull


@torch.no_grad()
def match(logits, boxes, targets):  # DETR's HungarianMatcher: class 1, L1 5, GIoU 2; the assignment on the CPU
    b, q = logits.shape[:2]
    prob = logits.flatten(0, 1).float().softmax(-1)
    out_boxes = boxes.flatten(0, 1).float()
    labels = torch.cat([t["labels"] for t in targets])
    tboxes = torch.cat([t["boxes"] for t in targets])
    cost = 5 * torch.cdist(out_boxes, tboxes, p=1) - prob[:, labels] - 2 * generalized_iou(box_xyxy(out_boxes), box_xyxy(tboxes))
    cost = cost.view(b, q, -1).cpu()
    sizes = [len(t["boxes"]) for t in targets]
    result = []
    for i, c in enumerate(cost.split(sizes, -1)):
        r, k = linear_sum_assignment(c[i])
        result.append((torch.as_tensor(r, dtype=torch.int64), torch.as_tensor(k, dtype=torch.int64)))
    return result


def set_loss(logits, boxes, targets, num_classes=91, eos_coef=0.1):
    logits, boxes = logits.float(), boxes.float()
    indices = match(logits, boxes, targets)
    num_boxes = float(sum(len(t["labels"]) for t in targets))
    batch_idx = torch.cat([torch.full_like(s, i) for i, (s, _) in enumerate(indices)])
    src_idx = torch.cat([s for s, _ in indices])
    target_classes = torch.full(logits.shape[:2], num_classes, dtype=torch.int64, device=logits.device)
    target_classes[batch_idx, src_idx] = torch.cat([t["labels"][k] for t, (_, k) in zip(targets, indices)])
    weight = torch.ones(num_classes + 1, device=logits.device)
    weight[-1] = eos_coef
    loss_ce = F.cross_entropy(logits.transpose(1, 2), target_classes, weight)
    src_boxes = boxes[batch_idx, src_idx]
    tgt_boxes = torch.cat([t["boxes"][k] for t, (_, k) in zip(targets, indices)])
    loss_bbox = F.l1_loss(src_boxes, tgt_boxes, reduction="none").sum() / num_boxes
    loss_giou = (1 - torch.diag(generalized_iou(box_xyxy(src_boxes), box_xyxy(tgt_boxes)))).sum() / num_boxes
    return loss_ce + 5 * loss_bbox + 2 * loss_giou


def timed(fn, device, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--size", type=int, default=512, help="training images are SIZE x SIZE")
    args = ap.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(42)
    model = DETR().to(device)
    backbone = [p for n, p in model.named_parameters() if "backbone" in n and p.requires_grad]
    rest = [p for n, p in model.named_parameters() if "backbone" not in n and p.requires_grad]
    opt = torch.optim.AdamW([{"params": rest}, {"params": backbone, "lr": 1e-5}], lr=1e-4, weight_decay=1e-4)
    dtype = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[args.precision]
    scaler = torch.cuda.amp.GradScaler() if args.precision == "fp16" else None
    autocast = (lambda: torch.autocast(device.type, dtype=dtype)) if dtype else (lambda: torch.autocast(device.type, enabled=False))

    g = torch.Generator().manual_seed(512)
    images = torch.randn(2, 3, args.size, args.size, generator=g).to(device)
    mask = torch.zeros(2, args.size, args.size, dtype=torch.bool, device=device)
    targets = []
    for _ in range(2):
        centre = torch.rand(8, 2, generator=g) * 0.6 + 0.2
        size = torch.rand(8, 2, generator=g) * 0.3 + 0.05
        targets.append({"labels": torch.randint(0, 91, (8,), generator=g).to(device), "boxes": torch.cat([centre, size], 1).to(device)})

    def step():
        model.train()
        opt.zero_grad()
        with autocast():
            logits, boxes = model(images, mask)  # [layers, B, Q, 92], [layers, B, Q, 4]
        loss = sum(set_loss(logits[i], boxes[i], targets) for i in range(logits.shape[0]))
        if scaler:
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            opt.step()

    infer_images = torch.randn(1, 3, 800, 1066, generator=g).to(device)
    infer_mask = torch.zeros(1, 800, 1066, dtype=torch.bool, device=device)

    @torch.no_grad()
    def infer():
        model.eval()
        with autocast():
            model(infer_images, infer_mask)

    for name, fn in ((f"reference_detr_r50_train_step_b2_{args.size}", step), ("reference_detr_r50_infer_b1_800x1066", infer)):
        t = timed(fn, device, args.warmup, args.runs)
        print(json.dumps({"case": name, "device": str(device), "precision": args.precision, "median_ms": round(statistics.median(t), 2),
                          "min_ms": round(min(t), 2), "runs": len(t), "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference COCO bounding-box evaluation, written from the protocol's description in NumPy.

It exists to check src/eval/metrics.cc (tests/eval/coco_reference_test.cc runs both on the same
random cases) and shares no code with it. Usage:

    coco_reference.py GROUND_TRUTH.json RESULTS.json [--conf 0.25] [--agnostic] [--max-dets 100]

GROUND_TRUTH.json is a COCO file (images, annotations with bbox [x, y, w, h] and iscrowd,
categories); RESULTS.json is a COCO results list ([{image_id, category_id, bbox, score}]).
Prints one JSON object: map50, map50_95, precision, recall, f1, tp, fp, fn and per category
(sorted by id) ap50, ap50_95 (null without non-crowd ground truth), tp, fp, fn.

The protocol: for each image and category, detections sorted by descending score (stable) and cut
to max-dets are matched greedily against ground truth sorted non-crowd first; a detection takes
the best-IoU ground truth still free (crowd is never used up) with IoU >= the threshold, and ties
go to the later one; a detection matched to crowd is ignored. Crowd IoU divides the intersection
by the detection's area. Per category and threshold, all detections are ranked (stable, image ids
ascending), precision is made non-increasing from the right and read at the first rank whose
recall reaches each of 101 points 0:0.01:1 (0 past the last). AP is the mean over those points;
mAP the mean over the categories with non-crowd ground truth. Precision, recall and F1 count the
detections scoring >= conf at IoU 0.5, summed over all categories.
"""
import argparse
import json
import sys

import numpy as np

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


def iou_matrix(dt, gt, crowd):
    """IoU of each detection (rows) with each ground-truth box (columns), boxes as x, y, w, h."""
    if len(dt) == 0 or len(gt) == 0:
        return np.zeros((len(dt), len(gt)))
    d = dt[:, None, :]
    g = gt[None, :, :]
    iw = np.minimum(d[..., 0] + d[..., 2], g[..., 0] + g[..., 2]) - np.maximum(d[..., 0], g[..., 0])
    ih = np.minimum(d[..., 1] + d[..., 3], g[..., 1] + g[..., 3]) - np.maximum(d[..., 1], g[..., 1])
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    d_area = d[..., 2] * d[..., 3]
    union = np.where(crowd[None, :], d_area, d_area + g[..., 2] * g[..., 3] - inter)
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(inter > 0, inter / union, 0.0)


def match(dt_boxes, gt_boxes, gt_crowd):
    """Greedy matching at every threshold: (matched, ignored), each shaped [thresholds, dets]."""
    ious = iou_matrix(dt_boxes, gt_boxes, gt_crowd)
    matched = np.zeros((len(IOU_THRESHOLDS), len(dt_boxes)), bool)
    ignored = np.zeros_like(matched)
    for t, threshold in enumerate(IOU_THRESHOLDS):
        used = np.zeros(len(gt_boxes), bool)
        for d in range(len(dt_boxes)):
            free = ~used | gt_crowd
            candidates = free & (ious[d] >= min(threshold, 1 - 1e-10))
            real = candidates & ~gt_crowd
            # A free non-crowd box is preferred; crowd only when none qualifies.
            pool = real if real.any() else candidates
            if not pool.any():
                continue
            best = ious[d][pool].max()
            g = np.flatnonzero(pool & (ious[d] == best))[-1]
            used[g] = True
            matched[t, d] = True
            ignored[t, d] = gt_crowd[g]
    return matched, ignored


def evaluate(gt_json, results, conf, agnostic, max_dets):
    image_ids = sorted(im['id'] for im in gt_json['images'])
    cat_ids = sorted(c['id'] for c in gt_json['categories'])
    groups = [None] if agnostic else cat_ids
    out = {'categories': [], 'tp': 0, 'fp': 0, 'fn': 0}
    aps50, aps = [], []
    for cat in groups:
        def of(items, image_id):
            return [a for a in items if a['image_id'] == image_id and (cat is None or a['category_id'] == cat)]
        scores, matched, ignored, n_truth = [], [], [], 0
        for image_id in image_ids:
            gts = of(gt_json['annotations'], image_id)
            gts = [g for g in gts if not g.get('iscrowd', 0)] + [g for g in gts if g.get('iscrowd', 0)]
            dts = of(results, image_id)
            order = np.argsort([-d['score'] for d in dts], kind='stable')[:max_dets]
            dts = [dts[i] for i in order]
            crowd = np.array([bool(g.get('iscrowd', 0)) for g in gts], bool)
            m, ig = match(np.array([d['bbox'] for d in dts], float).reshape(-1, 4),
                          np.array([g['bbox'] for g in gts], float).reshape(-1, 4), crowd)
            scores += [d['score'] for d in dts]
            matched.append(m)
            ignored.append(ig)
            n_truth += int((~crowd).sum())
        scores = np.array(scores, float)
        matched = np.concatenate(matched, axis=1)
        ignored = np.concatenate(ignored, axis=1)
        rank = np.argsort(-scores, kind='stable')
        matched, ignored, scores = matched[:, rank], ignored[:, rank], scores[rank]

        above = scores >= conf
        tp = int((matched[0] & ~ignored[0] & above).sum())
        fp = int((~matched[0] & ~ignored[0] & above).sum())
        entry = {'category_id': cat, 'truths': n_truth, 'tp': tp, 'fp': fp, 'fn': n_truth - tp,
                 'ap50': None, 'ap50_95': None}
        out['tp'] += tp
        out['fp'] += fp
        out['fn'] += n_truth - tp
        if n_truth > 0:
            ap = np.zeros(len(IOU_THRESHOLDS))
            for t in range(len(IOU_THRESHOLDS)):
                tps = np.cumsum(matched[t] & ~ignored[t]).astype(float)
                fps = np.cumsum(~matched[t] & ~ignored[t]).astype(float)
                recall = tps / n_truth
                precision = tps / (tps + fps + np.spacing(1))
                envelope = np.maximum.accumulate(precision[::-1])[::-1]
                at = np.searchsorted(recall, RECALL_POINTS, side='left')
                padded = np.append(envelope, 0.0)
                ap[t] = padded[at].mean()
            entry['ap50'], entry['ap50_95'] = float(ap[0]), float(ap.mean())
            aps50.append(ap[0])
            aps.append(ap.mean())
        out['categories'].append(entry)
    out['map50'] = float(np.mean(aps50)) if aps50 else None
    out['map50_95'] = float(np.mean(aps)) if aps else None
    truths = out['tp'] + out['fn']
    out['precision'] = out['tp'] / (out['tp'] + out['fp']) if out['tp'] + out['fp'] else 0.0
    out['recall'] = out['tp'] / truths if truths else 0.0
    p, r = out['precision'], out['recall']
    out['f1'] = 2 * p * r / (p + r) if p + r else 0.0
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ground_truth')
    parser.add_argument('results')
    parser.add_argument('--conf', type=float, default=0.25)
    parser.add_argument('--agnostic', action='store_true')
    parser.add_argument('--max-dets', type=int, default=100)
    args = parser.parse_args()
    with open(args.ground_truth) as f:
        gt_json = json.load(f)
    with open(args.results) as f:
        results = json.load(f)
    json.dump(evaluate(gt_json, results, args.conf, args.agnostic, args.max_dets), sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()

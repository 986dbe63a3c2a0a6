#!/usr/bin/env bash
# Regenerates the split lists bundled with the built-in dataset provider from an upstream dataset_lists folder
# (an mseg-api checkout's mseg/dataset_lists, or the copy in the project's reference data).
# Usage: mseg-datasets/tools/bundle-lists.sh [dataset_lists folder]
# gzip -n keeps the output byte-identical between runs (no name, no timestamp).
set -euo pipefail
src="${1:-/work/shared/reference/data/dataset_lists}"
dst="$(cd "$(dirname "$0")/.." && pwd)/src/main/resources/org/mseg/datasets/builtin/lists"
datasets=(
  ade20k-150 bdd cityscapes-19 coco-panoptic-133 idd-39 mapillary-public65 sunrgbd-37
  ade20k-150-relabeled bdd-relabeled cityscapes-19-relabeled coco-panoptic-133-relabeled idd-39-relabeled
  mapillary-public65-relabeled sunrgbd-37-relabeled cityscapes-34-relabeled
  camvid-11 kitti-19 pascal-context-60 scannet-20 voc2012 wilddash-19
)
rm -rf "$dst"
for name in "${datasets[@]}"; do
  mkdir -p "$dst/$name"
  for list in "$src/$name/list/"*.txt; do
    gzip -n -9 -c "$list" > "$dst/$name/$(basename "$list").gz"
  done
done
echo "bundled lists of ${#datasets[@]} datasets into $dst"

# make eval: the accuracy matrix (bench/eval): synthetic streams of many kinds, gated with the
# default settings by each predictor; prints one table per predictor (see docs/analysis.md).
.PHONY: eval
eval: $(BIN)/ogate-synth $(BIN)/ogate-emulate
	BIN=$(BIN) nice bench/eval/eval.sh

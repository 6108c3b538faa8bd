"""Calibration to a firm's own ticket history: read an export (`formats`), fit a scenario and the firm's record
(`fit`), simulate today's design against that record (`backtest`). `synthetic` writes exports from a known process,
for the sample in scenarios/samples/ and for the tests."""

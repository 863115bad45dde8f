"""A tiny Piper voice model made by the tests themselves (no voice is downloaded, ever):
a real ONNX model with Piper's inputs and output, whose "speech" is a tone as long as the
phonemes it is given, stretched by length_scale, as a real voice's is.  It exercises the
real loading and synthesis code of converter's Piper engine and of piper-tts."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
from onnx import TensorProto, helper

SAMPLE_RATE = 16000
HOP = 256  # samples per phoneme id at length_scale 1, as Piper's VITS voices


def make_voice(folder: Path) -> Path:
    """Write tiny.onnx and tiny.onnx.json into ``folder``; return the model's path."""
    nodes = [
        helper.make_node("Cast", ["input"], ["ids"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["ids", "axis0"], ["ids3"]),  # (1, 1, n)
        helper.make_node("Gather", ["scales", "one"], ["length_scale"], axis=0),
        helper.make_node("Mul", ["length_scale", "hop"], ["stretch"]),
        helper.make_node("Concat", ["ones", "stretch"], ["resize_scales"], axis=0),
        helper.make_node("Resize", ["ids3", "", "resize_scales"], ["held"], mode="nearest"),
        helper.make_node("Mul", ["held", "pitch"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["tone"]),
        helper.make_node("Mul", ["tone", "volume"], ["output"]),
    ]
    initialisers = [
        helper.make_tensor("axis0", TensorProto.INT64, [1], [0]),
        helper.make_tensor("one", TensorProto.INT64, [1], [1]),
        helper.make_tensor("hop", TensorProto.FLOAT, [], [float(HOP)]),
        helper.make_tensor("ones", TensorProto.FLOAT, [2], [1.0, 1.0]),
        helper.make_tensor("pitch", TensorProto.FLOAT, [], [0.7]),
        helper.make_tensor("volume", TensorProto.FLOAT, [], [0.5]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-piper-voice",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "samples"])],
        initialisers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = folder / "tiny.onnx"
    path.write_bytes(model.SerializeToString())
    # Every character espeak-ng's IPA can use: ASCII, Latin-1 letters, the IPA blocks.
    symbols = ["_", "^", "$", " "]
    symbols += [chr(c) for c in range(0x21, 0x7F) if chr(c) not in symbols]
    symbols += [chr(c) for c in range(0xC0, 0x180)]
    symbols += [chr(c) for c in range(0x250, 0x370)] + [chr(c) for c in range(0x390, 0x3CA)]
    config = {
        "audio": {"sample_rate": SAMPLE_RATE},
        "espeak": {"voice": "en"},  # espeak-ng 1.52 (in piper-tts) names British English "en"
        "phoneme_type": "espeak",
        "num_symbols": len(symbols),
        "num_speakers": 1,
        "phoneme_id_map": {symbol: [index] for index, symbol in enumerate(symbols)},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
    }
    Path(f"{path}.json").write_text(json.dumps(config), encoding="utf-8")
    return path

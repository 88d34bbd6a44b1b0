#!/usr/bin/python3
"""Writes full-size VGG-19 weight files (classifier included, random values) in every format
style4j reads, each with its own ecosystem's writer, for ./style4j-bench weights.

Usage: make-vgg19-files.py FOLDER
Needs Debian's python3-torch, python3-onnx and python3-h5py. The Caffe file is written field by
field in protobuf's wire format (the protobuf library would need 2 GB of Python floats).
"""
import collections
import struct
import sys

import h5py
import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper
import torch

BLOCKS = [2, 2, 4, 4, 4]
CHANNELS = [64, 128, 256, 512, 512]
FC = [(4096, 25088), (4096, 4096), (1000, 4096)]
rng = np.random.default_rng(19)


def random(shape):
    return (rng.standard_normal(shape, dtype=np.float32) * 0.01).astype(np.float32)


def layers():
    """(caffe name, keras name, torchvision index, kernel, bias) for each convolution."""
    out, cin, index = [], 3, 0
    for block, count in enumerate(BLOCKS, start=1):
        for i in range(1, count + 1):
            cout = CHANNELS[block - 1]
            out.append((f"conv{block}_{i}", f"block{block}_conv{i}", index, random((cout, cin, 3, 3)), random(cout)))
            cin, index = cout, index + 2
        index += 1
    return out


CONVS = layers()
DENSE = [(random(shape), random(shape[0])) for shape in FC]


def torch_files(folder):
    sd = collections.OrderedDict()
    for _, _, index, w, b in CONVS:
        sd[f"features.{index}.weight"] = torch.from_numpy(w)
        sd[f"features.{index}.bias"] = torch.from_numpy(b)
    for k, (w, b) in zip([0, 3, 6], DENSE):
        sd[f"classifier.{k}.weight"] = torch.from_numpy(w)
        sd[f"classifier.{k}.bias"] = torch.from_numpy(b)
    torch.save(sd, f"{folder}/vgg19.pth")
    torch.save(sd, f"{folder}/vgg19-legacy.pth", _use_new_zipfile_serialization=False)


def onnx_file(folder):
    nodes, inits, x = [], [], "data"
    for n, (name, _, _, w, b) in enumerate(CONVS):
        inits += [onnx.numpy_helper.from_array(w, name + "_w"), onnx.numpy_helper.from_array(b, name + "_b")]
        nodes.append(onnx.helper.make_node("Conv", [x, name + "_w", name + "_b"], [name], kernel_shape=[3, 3],
                                           pads=[1, 1, 1, 1]))
        nodes.append(onnx.helper.make_node("Relu", [name], ["r" + name]))
        x = "r" + name
        if name.endswith(f"_{BLOCKS[int(name[4]) - 1]}"):
            nodes.append(onnx.helper.make_node("MaxPool", [x], ["p" + name], kernel_shape=[2, 2], strides=[2, 2]))
            x = "p" + name
    nodes.append(onnx.helper.make_node("Flatten", [x], ["flat"]))
    x = "flat"
    for k, (w, b) in enumerate(DENSE):
        inits += [onnx.numpy_helper.from_array(w, f"fc{k}_w"), onnx.numpy_helper.from_array(b, f"fc{k}_b")]
        nodes.append(onnx.helper.make_node("Gemm", [x, f"fc{k}_w", f"fc{k}_b"], [f"fc{k}"], transB=1))
        x = f"fc{k}"
    graph = onnx.helper.make_graph(nodes, "vgg19", [onnx.helper.make_tensor_value_info("data", 1, [1, 3, 224, 224])],
                                   [onnx.helper.make_tensor_value_info(x, 1, [1, 1000])], inits)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 13)])
    with open(f"{folder}/vgg19.onnx", "wb") as f:
        f.write(model.SerializeToString())


def keras_file(folder):
    with h5py.File(f"{folder}/vgg19_keras.h5", "w") as f:
        names = []
        for _, name, _, w, b in CONVS:
            g = f.create_group(name)
            g.create_dataset(f"{name}/kernel:0", data=w.transpose(2, 3, 1, 0))
            g.create_dataset(f"{name}/bias:0", data=b)
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            names.append(name)
        for name, (w, b) in zip(["fc1", "fc2", "predictions"], DENSE):
            g = f.create_group(name)
            g.create_dataset(f"{name}/kernel:0", data=w.T)
            g.create_dataset(f"{name}/bias:0", data=b)
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            names.append(name)
        f.attrs["layer_names"] = np.array([n.encode() for n in names])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4"


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def number(field_number, value):
    return varint(field_number << 3) + varint(value)


def blob(array, dims):
    legacy = b"".join(number(k, d) for k, d in zip([1, 2, 3, 4], dims))
    return legacy + field(5, array.astype("<f4").tobytes())


def caffe_file(folder):
    """NetParameter with 2014-style V1 layers, as VGG_ILSVRC_19_layers.caffemodel."""
    with open(f"{folder}/vgg19.caffemodel", "wb") as f:
        f.write(field(1, b"VGG_ILSVRC_19_layers"))
        for name, _, _, w, b in CONVS:
            layer = field(4, name.encode()) + number(5, 4) + field(6, blob(w, w.shape)) \
                    + field(6, blob(b, (1, 1, 1, b.size)))
            f.write(field(2, layer))
        for name, (w, b) in zip(["fc6", "fc7", "fc8"], DENSE):
            layer = field(4, name.encode()) + number(5, 14) + field(6, blob(w, (1, 1) + w.shape)) \
                    + field(6, blob(b, (1, 1, 1, b.size)))
            f.write(field(2, layer))


if __name__ == "__main__":
    out = sys.argv[1]
    torch_files(out)
    onnx_file(out)
    keras_file(out)
    caffe_file(out)
    print("wrote VGG-19 files to", out)

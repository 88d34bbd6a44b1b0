#!/usr/bin/python3
"""Writes the weight-file fixtures of WeightFormatsTest with each ecosystem's own writer.

Run from this folder with Debian's python3-torch, python3-onnx, python3-h5py, python3-protobuf
and protobuf-compiler installed:  ./make-weight-fixtures.py

Every VGG fixture holds the same numbers, defined by a formula the Java test recomputes on its
own (so the test checks names, order and layout against something it did not read):
    kernel[o, i, y, x] of the l-th convolution (1-based, network order)
        = l + o/1024 + (i % 3)/8 + y/32 + x/64
    bias[o] = -l - o/1024
All are exact in float32. The files are gzipped (their patterns compress ~1000x); the test
unpacks them into a temporary folder.
"""
import collections
import gzip
import io
import os
import pickle
import subprocess
import sys

import h5py
import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper
import torch

VGG = {16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]}
CHANNELS = [64, 128, 256, 512, 512]


def convs(depth):
    """(block, index, in, out) of each convolution, in order."""
    out, cin = [], 3
    for block, count in enumerate(VGG[depth], start=1):
        for i in range(1, count + 1):
            out.append((block, i, cin, CHANNELS[block - 1]))
            cin = CHANNELS[block - 1]
    return out


def kernel(l, cout, cin):
    o = np.arange(cout, dtype=np.float64)[:, None, None, None]
    i = np.arange(cin, dtype=np.float64)[None, :, None, None]
    y = np.arange(3, dtype=np.float64)[None, None, :, None]
    x = np.arange(3, dtype=np.float64)[None, None, None, :]
    return (l + o / 1024 + (i % 3) / 8 + y / 32 + x / 64).astype(np.float32)


def bias(l, cout):
    return (-l - np.arange(cout, dtype=np.float64) / 1024).astype(np.float32)


def gz(name, data):
    with gzip.GzipFile(name + ".gz", "wb", mtime=0) as f:
        f.write(data)


def torchvision_state_dict(depth):
    """torchvision's VGG keys: features.N with N the module index (conv, relu, ..., pool)."""
    sd, index, block_prev = collections.OrderedDict(), 0, 1
    for l, (block, i, cin, cout) in enumerate(convs(depth), start=1):
        if block != block_prev:
            index += 1  # the pool closing the previous block
            block_prev = block
        sd[f"features.{index}.weight"] = torch.from_numpy(kernel(l, cout, cin))
        sd[f"features.{index}.bias"] = torch.from_numpy(bias(l, cout))
        index += 2  # conv, relu
    # A stand-in for the classifier (the real one is 4096 x 25088): never read.
    sd["classifier.0.weight"] = torch.zeros(8, 16)
    sd["classifier.0.bias"] = torch.zeros(8)
    return sd


def torch_bytes(obj, legacy):
    buffer = io.BytesIO()
    torch.save(obj, buffer, _use_new_zipfile_serialization=not legacy)
    return buffer.getvalue()


def keras_h5(path, depth, keras1):
    with h5py.File(path, "w") as f:
        names = []
        for l, (block, i, cin, cout) in enumerate(convs(depth), start=1):
            name = f"block{block}_conv{i}"
            names.append(name)
            g = f.create_group(name)
            hwio = kernel(l, cout, cin).transpose(2, 3, 1, 0)
            if keras1:
                wn = [f"{name}_W_1:0", f"{name}_b_1:0"]
                g.create_dataset(wn[0], data=hwio)
                g.create_dataset(wn[1], data=bias(l, cout))
            else:
                wn = [f"{name}/kernel:0", f"{name}/bias:0"]
                g.create_dataset(wn[0], data=hwio)
                g.create_dataset(wn[1], data=bias(l, cout))
            g.attrs["weight_names"] = np.array([w.encode() for w in wn])
            if i == VGG[depth][block - 1]:
                names.append(f"block{block}_pool")
                f.create_group(f"block{block}_pool").attrs["weight_names"] = np.array([], dtype="S1")
        f.attrs["layer_names"] = np.array([n.encode() for n in names])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4" if not keras1 else b"1.2.2"


def onnx_model(depth):
    """An ONNX VGG with MXNet-Gluon-style initializer names (vgg0_conv0_weight), which carry no
    VGG layer names: style4j must map them by graph order."""
    nodes, inits, x = [], [], "data"
    for l, (block, i, cin, cout) in enumerate(convs(depth), start=1):
        w, b = f"vgg0_conv{l - 1}_weight", f"vgg0_conv{l - 1}_bias"
        inits += [onnx.numpy_helper.from_array(kernel(l, cout, cin), w),
                  onnx.numpy_helper.from_array(bias(l, cout), b)]
        nodes.append(onnx.helper.make_node("Conv", [x, w, b], [f"c{l}"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
        nodes.append(onnx.helper.make_node("Relu", [f"c{l}"], [f"r{l}"]))
        x = f"r{l}"
        if i == VGG[depth][block - 1]:
            nodes.append(onnx.helper.make_node("MaxPool", [x], [f"p{l}"], kernel_shape=[2, 2], strides=[2, 2]))
            x = f"p{l}"
    nodes.append(onnx.helper.make_node("Flatten", [x], ["flat"]))
    inits.append(onnx.numpy_helper.from_array(np.zeros((8, 25088), np.float32), "vgg0_dense0_weight"))
    nodes.append(onnx.helper.make_node("Gemm", ["flat", "vgg0_dense0_weight"], ["logits"], transB=1))
    graph = onnx.helper.make_graph(nodes, "vgg", [onnx.helper.make_tensor_value_info("data", 1, [1, 3, 224, 224])],
                                   [onnx.helper.make_tensor_value_info("logits", 1, [1, 8])], inits)
    model = onnx.helper.make_model(graph, producer_name="make-weight-fixtures", opset_imports=[onnx.helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model.SerializeToString()


def caffe_model(depth, pb, v1):
    net = pb.NetParameter(name=f"VGG_ILSVRC_{depth}_layers")
    net.input.append("data")
    for l, (block, i, cin, cout) in enumerate(convs(depth), start=1):
        name = f"conv{block}_{i}"
        layer = net.layers.add() if v1 else net.layer.add()
        layer.name = name
        if v1:
            layer.type = pb.V1LayerParameter.CONVOLUTION
        else:
            layer.type = "Convolution"
        w = layer.blobs.add()
        if v1:  # the 2014 files give 4-D sizes as num/channels/height/width and the bias as 1x1x1xN
            w.num, w.channels, w.height, w.width = cout, cin, 3, 3
        else:
            w.shape.dim.extend([cout, cin, 3, 3])
        w.data.extend(kernel(l, cout, cin).ravel().tolist())
        b = layer.blobs.add()
        if v1:
            b.num, b.channels, b.height, b.width = 1, 1, 1, cout
        else:
            b.shape.dim.extend([cout])
        b.data.extend(bias(l, cout).tolist())
        relu = net.layers.add() if v1 else net.layer.add()
        relu.name = f"relu{block}_{i}"
        if v1:
            relu.type = pb.V1LayerParameter.RELU
        else:
            relu.type = "ReLU"
    fc = net.layers.add() if v1 else net.layer.add()
    fc.name = "fc6"
    if v1:
        fc.type = pb.V1LayerParameter.INNER_PRODUCT
    else:
        fc.type = "InnerProduct"
    fc.blobs.add().data.extend([0.0] * 16)
    return net.SerializeToString()


class RunsACommand:
    """What an attacker puts in a .pth: unpickling calls os.system."""
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def tiny_seeds(pb):
    """Small files of every format: the seeds WeightFileFuzzTest mutates."""
    folder = "../io/github/style4j/samediff/weights/WeightFileFuzzTestInputs/opensOrRefuses"
    os.makedirs(folder, exist_ok=True)
    sd = collections.OrderedDict()
    sd["features.0.weight"] = torch.from_numpy(kernel(1, 4, 3))
    sd["features.0.bias"] = torch.from_numpy(bias(1, 4))
    sd["features.2.weight"] = torch.from_numpy(kernel(2, 2, 4)).transpose(0, 1).contiguous().transpose(0, 1)
    sd["features.2.bias"] = torch.from_numpy(bias(2, 2)).half()
    with open(f"{folder}/tiny.pth", "wb") as f:
        f.write(torch_bytes(sd, legacy=False))
    with open(f"{folder}/tiny-legacy.pth", "wb") as f:
        f.write(torch_bytes(sd, legacy=True))
    with h5py.File(f"{folder}/tiny.h5", "w") as f:
        for l, (name, cout, cin) in enumerate([("block1_conv1", 4, 3), ("block1_conv2", 2, 4)], start=1):
            g = f.create_group(name)
            g.create_dataset(f"{name}/kernel:0", data=kernel(l, cout, cin).transpose(2, 3, 1, 0))
            g.create_dataset(f"{name}/bias:0", data=bias(l, cout))
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
        f.attrs["layer_names"] = np.array([b"block1_conv1", b"block1_conv2"])
    for v1 in (True, False):
        net = pb.NetParameter(name="tiny")
        for l, (name, cout, cin) in enumerate([("conv1_1", 4, 3), ("conv1_2", 2, 4)], start=1):
            layer = net.layers.add() if v1 else net.layer.add()
            layer.name = name
            layer.type = pb.V1LayerParameter.CONVOLUTION if v1 else "Convolution"
            w = layer.blobs.add()
            w.shape.dim.extend([cout, cin, 3, 3])
            w.data.extend(kernel(l, cout, cin).ravel().tolist())
            b = layer.blobs.add()
            b.shape.dim.extend([cout])
            b.data.extend(bias(l, cout).tolist())
        with open(f"{folder}/tiny-{'v1' if v1 else 'v2'}.caffemodel", "wb") as f:
            f.write(net.SerializeToString())
    with open(f"{folder}/tiny.onnx", "wb") as f, open("other-network.onnx", "rb") as other:
        f.write(other.read())


def main():
    subprocess.run(["protoc", "--python_out=/tmp", "caffe_subset.proto"], check=True)
    sys.path.insert(0, "/tmp")
    import caffe_subset_pb2 as pb

    gz("vgg16-torchvision.pth", torch_bytes(torchvision_state_dict(16), legacy=False))
    gz("vgg19-torchvision-legacy.pth", torch_bytes(torchvision_state_dict(19), legacy=True))
    checkpoint = {"epoch": 3, "state_dict": torchvision_state_dict(16)}
    gz("vgg16-checkpoint.pth", torch_bytes(checkpoint, legacy=False))
    for depth, keras1 in [(19, False), (16, True)]:
        name = f"vgg{depth}-keras{1 if keras1 else 2}.h5"
        keras_h5("/tmp/" + name, depth, keras1)
        with open("/tmp/" + name, "rb") as f:
            gz(name, f.read())
    gz("vgg16-mxnet-names.onnx", onnx_model(16))
    gz("vgg19-caffe-v1.caffemodel", caffe_model(19, pb, v1=True))
    gz("vgg16-caffe.caffemodel", caffe_model(16, pb, v1=False))

    # Files of other networks: a small ONNX model, and a VGG-16 whose last convolution is 1x1.
    other = onnx.helper.make_graph(
        [onnx.helper.make_node("Conv", ["x", "w1"], ["y"], kernel_shape=[7, 7], strides=[2, 2]),
         onnx.helper.make_node("Conv", ["y", "w2"], ["z"], kernel_shape=[1, 1])],
        "other", [onnx.helper.make_tensor_value_info("x", 1, [1, 3, 64, 64])],
        [onnx.helper.make_tensor_value_info("z", 1, [1, 16, 29, 29])],
        [onnx.numpy_helper.from_array(np.ones((8, 3, 7, 7), np.float32), "w1"),
         onnx.numpy_helper.from_array(np.ones((16, 8, 1, 1), np.float32), "w2")])
    with open("other-network.onnx", "wb") as f:
        f.write(onnx.helper.make_model(other, opset_imports=[onnx.helper.make_opsetid("", 13)]).SerializeToString())
    wrong = torchvision_state_dict(16)
    wrong["features.28.weight"] = torch.ones(512, 512, 1, 1)
    gz("vgg16-wrong-shape.pth", torch_bytes(wrong, legacy=False))

    # Hostile files: each must be refused with nothing run. The command would create the marker.
    marker = "/tmp/style4j-pickle-ran-code"
    with open("malicious-os-system.pth", "wb") as f:
        f.write(torch_bytes({"features.0.weight": RunsACommand("touch " + marker)}, legacy=False))
    with open("malicious-legacy.pth", "wb") as f:
        f.write(torch_bytes(collections.OrderedDict(x=RunsACommand("touch " + marker)), legacy=True))
    tiny_seeds(pb)
    print("wrote fixtures")


if __name__ == "__main__":
    main()

package io.github.style4j.samediff.weights;

/**
 * A convolution as a weight file stores it: its kernel {@code [out, in, kH, kW]} and bias
 * {@code [out]}, named as in the file.
 */
record StoredConv(String name, StoredTensor kernel, StoredTensor bias) {
    @Override
    public String toString() {
        return name + " " + java.util.Arrays.toString(kernel.shape());
    }
}

package worker

import (
	"fmt"

	"github.com/sluice-gateway/sluice/oip"
)

// modelVersion is the only version of every built-in model.
const modelVersion = "1"

// platform is what model metadata reports as the backend.
const platform = "sluice-emulated"

// computeFunc turns a valid request's inputs into all of a model's outputs.
// It must not modify the request and may share its element buffers.
type computeFunc func(inputs []oip.Tensor) ([]oip.Tensor, error)

// model is one servable model with its own counters.
type model struct {
	meta    oip.ModelMetadata
	compute computeFunc
	counts  counters
}

// builtinModels returns fresh instances of the models every worker serves.
func builtinModels() map[string]*model {
	return map[string]*model{
		"echo": {meta: echoMetadata(), compute: echo},
		"sum":  {meta: sumMetadata(), compute: sum},
	}
}

func echoMetadata() oip.ModelMetadata {
	return oip.ModelMetadata{
		Name: "echo", Versions: []string{modelVersion}, Platform: platform,
		Inputs: []oip.TensorMetadata{}, Outputs: []oip.TensorMetadata{},
	}
}

// echo returns each input as an output of the same name, datatype, shape
// and elements; tensor parameters are not copied.
func echo(inputs []oip.Tensor) ([]oip.Tensor, error) {
	outs := make([]oip.Tensor, len(inputs))
	for i, in := range inputs {
		outs[i] = oip.Tensor{Name: in.Name, Datatype: in.Datatype, Shape: in.Shape, Raw: in.Raw, Elems: in.Elems}
	}
	return outs, nil
}

func sumMetadata() oip.ModelMetadata {
	return oip.ModelMetadata{
		Name: "sum", Versions: []string{modelVersion}, Platform: platform,
		Inputs:  []oip.TensorMetadata{{Name: "x", Datatype: string(oip.FP32), Shape: []int64{-1, -1}}},
		Outputs: []oip.TensorMetadata{{Name: "sum", Datatype: string(oip.FP32), Shape: []int64{-1}}},
	}
}

// sum takes exactly one input, "x", FP32 of shape [batch, n], and returns
// "sum", FP32 of shape [batch], each row's sum.
func sum(inputs []oip.Tensor) ([]oip.Tensor, error) {
	if len(inputs) != 1 || inputs[0].Name != "x" {
		return nil, fmt.Errorf("sum: want exactly one input %q, got %v: %w", "x", inputNames(inputs), ErrBadInput)
	}
	x := &inputs[0]
	if x.Datatype != oip.FP32 || len(x.Shape) != 2 {
		return nil, fmt.Errorf("sum: input %q is %s%v, want FP32 [batch, n]: %w", x.Name, x.Datatype, x.Shape, ErrBadInput)
	}
	vals, err := x.Float32s()
	if err != nil {
		return nil, fmt.Errorf("sum: input %q: %w: %w", x.Name, ErrBadInput, err)
	}
	rows, n := x.Shape[0], x.Shape[1]
	if int64(len(vals)) != rows*n {
		return nil, fmt.Errorf("sum: input %q has %d elements, shape %v needs %d: %w", x.Name, len(vals), x.Shape, rows*n, ErrBadInput)
	}
	return []oip.Tensor{oip.NewFP32("sum", []int64{rows}, rowSums(vals, rows, n))}, nil
}

// rowSums sums each of the rows of n values in vals.
// pre: len(vals) == rows*n.
func rowSums(vals []float32, rows, n int64) []float32 {
	sums := make([]float32, rows)
	for i := range sums {
		for _, v := range vals[int64(i)*n : int64(i+1)*n] {
			sums[i] += v
		}
	}
	return sums
}

func inputNames(inputs []oip.Tensor) []string {
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = in.Name
	}
	return names
}

// selectOutputs returns the outputs named in wanted, in wanted's order, or
// all of outs when wanted is empty.
func selectOutputs(outs []oip.Tensor, wanted []oip.RequestedOutput) ([]oip.Tensor, error) {
	if len(wanted) == 0 {
		return outs, nil
	}
	picked := make([]oip.Tensor, 0, len(wanted))
	for _, w := range wanted {
		out, ok := findTensor(outs, w.Name)
		if !ok {
			return nil, fmt.Errorf("output %q: %w", w.Name, ErrUnknownOutput)
		}
		picked = append(picked, out)
	}
	return picked, nil
}

func findTensor(ts []oip.Tensor, name string) (oip.Tensor, bool) {
	for _, t := range ts {
		if t.Name == name {
			return t, true
		}
	}
	return oip.Tensor{}, false
}

// batchRows is the number of rows a request carries: the largest
// dimension 0 among its inputs, a scalar input counting as one row, and
// zero when there are no inputs.
func batchRows(inputs []oip.Tensor) int64 {
	var rows int64
	for _, in := range inputs {
		r := int64(1)
		if len(in.Shape) > 0 {
			r = in.Shape[0]
		}
		rows = max(rows, r)
	}
	return rows
}

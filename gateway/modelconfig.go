package gateway

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// modelConfig returns a model's configuration in the shape of Triton's:
// the worker's own, where it serves one, else one built from the model's
// metadata; with Sluice's batching on top (max_batch_size, and
// dynamic_batching unless the worker schedules sequences).
func (g *Gateway) modelConfig(ctx context.Context, model string) (*inferencepb.ModelConfig, error) {
	if _, ok := g.router.Model(model); !ok {
		return nil, errUnknownModel(model)
	}
	md, err := g.metadataOf(ctx, model)
	if err != nil {
		return nil, err
	}
	cfg, err := g.router.WorkerConfig(ctx, model)
	if err != nil {
		return nil, err
	}
	maxBatch := g.router.MaxBatch(model)
	if cfg == nil {
		cfg = &inferencepb.ModelConfig{Platform: md.Platform,
			Input: configInputs(md.Inputs, maxBatch), Output: configOutputs(md.Outputs, maxBatch)}
	}
	cfg.Name, cfg.MaxBatchSize = model, int32(maxBatch)
	if cfg.GetSequenceBatching() == nil {
		cfg.SchedulingChoice = &inferencepb.ModelConfig_DynamicBatching{DynamicBatching: g.dynamicBatching(maxBatch)}
	}
	return cfg, nil
}

// dynamicBatching describes Sluice's batching of a model whose batches
// hold up to maxBatch rows: the waiting rule's longest wait, and the
// priority levels of the scheduling parameters' table.
func (g *Gateway) dynamicBatching(maxBatch int) *inferencepb.ModelDynamicBatching {
	db := &inferencepb.ModelDynamicBatching{
		MaxQueueDelayMicroseconds: uint64(batcher.DefaultMaxDelay.Microseconds()),
		PriorityLevels:            uint64(len(g.levels)),
		DefaultPriorityLevel:      uint64(levelOf(g.levels, batcher.Normal)),
	}
	if maxBatch > 1 {
		db.PreferredBatchSize = []int32{int32(maxBatch)}
	}
	return db
}

// configDims returns a metadata shape as configuration dims: without the
// batch dimension when the model batches.
func configDims(shape []int64, maxBatch int) []int64 {
	if maxBatch > 0 && len(shape) > 0 {
		return shape[1:]
	}
	return shape
}

func configInputs(ts []oip.TensorMetadata, maxBatch int) []*inferencepb.ModelInput {
	out := make([]*inferencepb.ModelInput, len(ts))
	for i, t := range ts {
		out[i] = &inferencepb.ModelInput{Name: t.Name, DataType: configType(t.Datatype), Dims: configDims(t.Shape, maxBatch)}
	}
	return out
}

func configOutputs(ts []oip.TensorMetadata, maxBatch int) []*inferencepb.ModelOutput {
	out := make([]*inferencepb.ModelOutput, len(ts))
	for i, t := range ts {
		out[i] = &inferencepb.ModelOutput{Name: t.Name, DataType: configType(t.Datatype), Dims: configDims(t.Shape, maxBatch)}
	}
	return out
}

// configType maps a protocol datatype to a configuration's: TYPE_FP32
// for FP32, TYPE_STRING for BYTES.
func configType(dt string) inferencepb.DataType {
	if dt == string(oip.Bytes) {
		return inferencepb.DataType_TYPE_STRING
	}
	return inferencepb.DataType(inferencepb.DataType_value["TYPE_"+dt])
}

// The configuration as Triton's HTTP endpoint writes it: its field names,
// numbers as numbers.
type (
	configJSON struct {
		Name            string                `json:"name"`
		Platform        string                `json:"platform"`
		Backend         string                `json:"backend"`
		MaxBatchSize    int32                 `json:"max_batch_size"`
		Input           []configTensorJSON    `json:"input"`
		Output          []configTensorJSON    `json:"output"`
		DynamicBatching *dynamicBatchingJSON  `json:"dynamic_batching,omitempty"`
		SequenceBatch   *sequenceBatchingJSON `json:"sequence_batching,omitempty"`
	}
	configTensorJSON struct {
		Name     string  `json:"name"`
		DataType string  `json:"data_type"`
		Dims     []int64 `json:"dims"`
	}
	dynamicBatchingJSON struct {
		PreferredBatchSize   []int32 `json:"preferred_batch_size"`
		MaxQueueDelay        uint64  `json:"max_queue_delay_microseconds"`
		PriorityLevels       uint64  `json:"priority_levels"`
		DefaultPriorityLevel uint64  `json:"default_priority_level"`
	}
	sequenceBatchingJSON struct {
		MaxSequenceIdle uint64 `json:"max_sequence_idle_microseconds"`
	}
)

// configToJSON renders a configuration for the HTTP endpoint. Fields the
// proto does not know (a worker's own extras) travel over gRPC only.
func configToJSON(c *inferencepb.ModelConfig) configJSON {
	out := configJSON{Name: c.GetName(), Platform: c.GetPlatform(), Backend: c.GetBackend(), MaxBatchSize: c.GetMaxBatchSize(),
		Input: []configTensorJSON{}, Output: []configTensorJSON{}}
	for _, in := range c.GetInput() {
		out.Input = append(out.Input, configTensorJSON{Name: in.GetName(), DataType: in.GetDataType().String(), Dims: nonNil(in.GetDims())})
	}
	for _, o := range c.GetOutput() {
		out.Output = append(out.Output, configTensorJSON{Name: o.GetName(), DataType: o.GetDataType().String(), Dims: nonNil(o.GetDims())})
	}
	if db := c.GetDynamicBatching(); db != nil {
		out.DynamicBatching = &dynamicBatchingJSON{PreferredBatchSize: db.GetPreferredBatchSize(), MaxQueueDelay: db.GetMaxQueueDelayMicroseconds(),
			PriorityLevels: db.GetPriorityLevels(), DefaultPriorityLevel: db.GetDefaultPriorityLevel()}
		if out.DynamicBatching.PreferredBatchSize == nil {
			out.DynamicBatching.PreferredBatchSize = []int32{}
		}
	}
	if sb := c.GetSequenceBatching(); sb != nil {
		out.SequenceBatch = &sequenceBatchingJSON{MaxSequenceIdle: sb.GetMaxSequenceIdleMicroseconds()}
	}
	return out
}

func nonNil(dims []int64) []int64 {
	if dims == nil {
		return []int64{}
	}
	return dims
}

func (g *Gateway) modelConfigHTTP(w http.ResponseWriter, r *http.Request) {
	cfg, err := g.modelConfig(r.Context(), chi.URLParam(r, "model"))
	if err != nil {
		g.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, configToJSON(cfg))
}

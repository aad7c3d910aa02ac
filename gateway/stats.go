package gateway

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// modelStatistics returns the statistics of one model (every model when
// name is empty) in the shape of Triton's statistics extension, from the
// router's counters; version labels them as asked.
func (g *Gateway) modelStatistics(name, version string) (*inferencepb.ModelStatisticsResponse, error) {
	names := g.router.Models()
	if name != "" {
		if _, ok := g.router.Model(name); !ok {
			return nil, errUnknownModel(name)
		}
		names = []string{name}
	}
	out := &inferencepb.ModelStatisticsResponse{ModelStats: make([]*inferencepb.ModelStatistics, len(names))}
	for i, n := range names {
		out.ModelStats[i] = statsToProto(g.router.ModelStats(n), version)
	}
	return out, nil
}

func statsToProto(s router.ModelStats, version string) *inferencepb.ModelStatistics {
	ms := &inferencepb.ModelStatistics{
		Name: s.Model, Version: version,
		InferenceCount: s.Inferences, ExecutionCount: s.Infer.Count,
		InferenceStats: &inferencepb.InferStatistics{
			Success: duration(s.Success), Fail: duration(s.Fail), Queue: duration(s.Queue),
			ComputeInput: duration(router.Duration{}), ComputeInfer: duration(s.Infer), ComputeOutput: duration(router.Duration{}),
			CacheHit: duration(router.Duration{}), CacheMiss: duration(router.Duration{}),
		},
		BatchStats: make([]*inferencepb.InferBatchStatistics, len(s.Batches)),
	}
	if !s.Last.IsZero() {
		ms.LastInference = uint64(s.Last.UnixMilli())
	}
	for i, b := range s.Batches {
		ms.BatchStats[i] = &inferencepb.InferBatchStatistics{
			BatchSize: uint64(b.Rows), ComputeInput: duration(router.Duration{}),
			ComputeInfer: duration(b.Infer), ComputeOutput: duration(router.Duration{}),
		}
	}
	return ms
}

func duration(d router.Duration) *inferencepb.StatisticDuration {
	return &inferencepb.StatisticDuration{Count: d.Count, Ns: uint64(max(d.Total, 0) / time.Nanosecond)}
}

// The statistics as Triton's HTTP endpoint writes them: numbers as
// numbers, every duration present.
type (
	statsJSON struct {
		ModelStats []modelStatsJSON `json:"model_stats"`
	}
	modelStatsJSON struct {
		Name           string          `json:"name"`
		Version        string          `json:"version"`
		LastInference  uint64          `json:"last_inference"`
		InferenceCount uint64          `json:"inference_count"`
		ExecutionCount uint64          `json:"execution_count"`
		InferenceStats inferStatsJSON  `json:"inference_stats"`
		BatchStats     []batchStatJSON `json:"batch_stats"`
	}
	inferStatsJSON struct {
		Success       durationJSON `json:"success"`
		Fail          durationJSON `json:"fail"`
		Queue         durationJSON `json:"queue"`
		ComputeInput  durationJSON `json:"compute_input"`
		ComputeInfer  durationJSON `json:"compute_infer"`
		ComputeOutput durationJSON `json:"compute_output"`
		CacheHit      durationJSON `json:"cache_hit"`
		CacheMiss     durationJSON `json:"cache_miss"`
	}
	batchStatJSON struct {
		BatchSize     uint64       `json:"batch_size"`
		ComputeInput  durationJSON `json:"compute_input"`
		ComputeInfer  durationJSON `json:"compute_infer"`
		ComputeOutput durationJSON `json:"compute_output"`
	}
	durationJSON struct {
		Count uint64 `json:"count"`
		Ns    uint64 `json:"ns"`
	}
)

func statsToJSON(r *inferencepb.ModelStatisticsResponse) statsJSON {
	out := statsJSON{ModelStats: make([]modelStatsJSON, len(r.GetModelStats()))}
	for i, m := range r.GetModelStats() {
		is := m.GetInferenceStats()
		out.ModelStats[i] = modelStatsJSON{
			Name: m.GetName(), Version: m.GetVersion(), LastInference: m.GetLastInference(),
			InferenceCount: m.GetInferenceCount(), ExecutionCount: m.GetExecutionCount(),
			InferenceStats: inferStatsJSON{
				Success: durJSON(is.GetSuccess()), Fail: durJSON(is.GetFail()), Queue: durJSON(is.GetQueue()),
				ComputeInput: durJSON(is.GetComputeInput()), ComputeInfer: durJSON(is.GetComputeInfer()), ComputeOutput: durJSON(is.GetComputeOutput()),
				CacheHit: durJSON(is.GetCacheHit()), CacheMiss: durJSON(is.GetCacheMiss()),
			},
			BatchStats: make([]batchStatJSON, len(m.GetBatchStats())),
		}
		for j, b := range m.GetBatchStats() {
			out.ModelStats[i].BatchStats[j] = batchStatJSON{BatchSize: b.GetBatchSize(),
				ComputeInput: durJSON(b.GetComputeInput()), ComputeInfer: durJSON(b.GetComputeInfer()), ComputeOutput: durJSON(b.GetComputeOutput())}
		}
	}
	return out
}

func durJSON(d *inferencepb.StatisticDuration) durationJSON {
	return durationJSON{Count: d.GetCount(), Ns: d.GetNs()}
}

func (g *Gateway) statsHTTP(w http.ResponseWriter, r *http.Request) {
	st, err := g.modelStatistics(chi.URLParam(r, "model"), chi.URLParam(r, "version"))
	if err != nil {
		g.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, statsToJSON(st))
}

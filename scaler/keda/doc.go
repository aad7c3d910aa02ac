// Package keda serves the scaler's plan to KEDA over KEDA's external scaler
// gRPC contract (externalscaler.ExternalScaler, generated in
// externalscalerpb), so that a ScaledObject per pool makes the pool's
// Deployment follow Sluice's desired replicas.
//
// The trigger's metadata names the pool. GetMetricSpec returns one metric
// with a target of 1, and GetMetrics returns the pool's desired replicas as
// its value, so the HPA KEDA drives computes replicas = value / target =
// desired. IsActive is true while the desired size is above zero, which
// lets KEDA scale the Deployment between zero and one; StreamIsActive
// (KEDA's external-push trigger) sends it at once and again whenever it
// changes. StreamMetricSpec is not implemented: the target never changes,
// and KEDA falls back to GetMetricSpec.
//
// A ScaledObject for the pool gpu-spot, with Sluice's KEDA listener at
// sluice.sluice-system:9091:
//
//	apiVersion: keda.sh/v1alpha1
//	kind: ScaledObject
//	metadata:
//	  name: gpu-spot
//	spec:
//	  scaleTargetRef:
//	    name: gpu-spot            # the pool's Deployment
//	  minReplicaCount: 0          # the pool's min
//	  maxReplicaCount: 16         # the pool's max
//	  advanced:
//	    horizontalPodAutoscalerConfig:
//	      behavior:
//	        scaleDown:
//	          stabilizationWindowSeconds: 0   # Sluice stabilizes already
//	  triggers:
//	    - type: external-push     # or external, polled
//	      metadata:
//	        scalerAddress: sluice.sluice-system:9091
//	        pool: gpu-spot
//
// The HPA ignores changes within its tolerance (10 % by default), so a
// pool of more than ten replicas may lag Sluice's plan by one; Sluice's
// own drivers (scaler/local, scaler/kubernetes) apply it exactly.
//
// The package only serves; it decides nothing. The wiring registers a
// Server on a grpc.Server and gives it the scaler's Loop as its Source.
package keda

{{/*
Public templates, for this chart and for charts that add Sluice to their own pods. Each takes a
context with .Values (Sluice's values) and .Release, and optionally .Capabilities:
  in this chart:     include "sluice.sidecar" .
  in a parent chart: include "sluice.sidecar" (dict "Values" .Values.sluice "Release" .Release "Capabilities" .Capabilities)
None of them reads .Chart, which in a parent chart would be the parent's.
*/}}

{{/* Full name of this release's Sluice objects. */}}
{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "sluice" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-sluice" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{/* The ServiceAccount a pod with Sluice should run as (it carries the IRSA role). */}}
{{- define "sluice.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "sluice.fullname" .) -}}
{{- end }}

{{/* Pod labels: podmonitor.yaml selects pods by them. */}}
{{- define "sluice.podLabels" -}}
sluice-sidecar: "true"
{{- end }}

{{/*
Environment-variable name of a property, by Quarkus's rule: upper case, and every character other
than a letter or digit becomes "_" (sluice.users."app".password -> SLUICE_USERS__APP__PASSWORD).
*/}}
{{- define "sluice.envName" -}}
{{- regexReplaceAll "[^A-Za-z0-9]" . "_" | upper -}}
{{- end }}

{{/*
A value as Sluice should read it: Helm reads numbers from YAML files as floats, which print as 1e+06.
*/}}
{{- define "sluice.propertyValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end }}

{{/*
The Sluice container, as one item of a container list. Put it first in initContainers in native
mode (so init containers after it can use the database too), or in containers in classic mode.
*/}}
{{- define "sluice.sidecar" -}}
{{- $v := .Values -}}
{{- if and (eq $v.sidecarMode "native") .Capabilities -}}
{{- if not (semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version) -}}
{{- fail (printf "sidecarMode native needs Kubernetes 1.29 or newer, not %s: older API servers drop restartPolicy and the pod never leaves Init. Use sidecarMode classic (with helm template, pass --kube-version)." .Capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- end -}}
{{- $props := dict -}}
{{- $_ := set $props "sluice.backend.host" (required "backend.host: the database Sluice pools connections to" $v.backend.host) -}}
{{- $_ = set $props "sluice.backend.port" $v.backend.port -}}
{{- $_ = set $props "sluice.listen.host" $v.listen.host -}}
{{- $_ = set $props "sluice.listen.port" $v.listen.port -}}
{{- $_ = set $props "sluice.max-client-connections" $v.maxClientConnections -}}
{{- $_ = set $props "sluice.pool.max-size" $v.pool.maxSize -}}
{{- $_ = set $props "sluice.pool.min-idle" $v.pool.minIdle -}}
{{- $_ = set $props "sluice.pool.borrow-timeout" $v.pool.borrowTimeout -}}
{{- $_ = set $props "sluice.pool.idle-timeout" $v.pool.idleTimeout -}}
{{- $_ = set $props "sluice.pool.max-lifetime" $v.pool.maxLifetime -}}
{{- $_ = set $props "quarkus.management.port" $v.managementPort -}}
{{- with $v.tls.mode }}{{ $_ = set $props "sluice.tls.mode" . }}{{ end -}}
{{- if $v.tls.certificateSecret -}}
{{- $_ = set $props "sluice.tls.certificate-file" "/etc/sluice/tls/tls.crt" -}}
{{- $_ = set $props "sluice.tls.key-file" "/etc/sluice/tls/tls.key" -}}
{{- end -}}
{{- range $name, $user := $v.users -}}
{{- with $user.secretId }}{{ $_ = set $props (printf "sluice.users.\"%s\".secret-id" $name) . }}{{ end -}}
{{- end -}}
{{- range $key, $value := $v.extraConfig -}}
{{- $_ = set $props $key $value -}}
{{- end -}}
- name: sluice
  image: "{{ $v.image.repository }}:{{ $v.image.tag }}"
  imagePullPolicy: {{ $v.image.pullPolicy }}
  {{- if eq $v.sidecarMode "native" }}
  # What makes this init container a sidecar: it keeps running, and the application waits for its startup probe.
  restartPolicy: Always
  {{- end }}
  env:
    {{- range $key, $value := $props }}
    - name: {{ include "sluice.envName" $key }}
      value: {{ include "sluice.propertyValue" $value | quote }}
    {{- end }}
    {{- range $name, $user := $v.users }}
    {{- if $user.existingSecret }}
    - name: {{ include "sluice.envName" (printf "sluice.users.\"%s\".password" $name) }}
      valueFrom:
        secretKeyRef:
          name: {{ $user.existingSecret }}
          key: {{ $user.passwordKey | default "password" }}
    {{- end }}
    {{- end }}
  ports:
    - name: mysql
      containerPort: {{ $v.listen.port }}
    - name: management
      containerPort: {{ $v.managementPort }}
  {{- if eq $v.sidecarMode "classic" }}
  lifecycle:
    preStop:
      # Both containers get SIGTERM at once in classic mode: keep the pool open while the application stops.
      exec:
        command: ["sleep", "{{ $v.classicSidecar.preStopSleepSeconds }}"]
  {{- end }}
  startupProbe:
    {{- toYaml $v.probes.startup | nindent 4 }}
  readinessProbe:
    {{- toYaml $v.probes.readiness | nindent 4 }}
  livenessProbe:
    {{- toYaml $v.probes.liveness | nindent 4 }}
  resources:
    {{- toYaml $v.resources | nindent 4 }}
  securityContext:
    {{- toYaml $v.securityContext | nindent 4 }}
  volumeMounts:
    # The only writable path Sluice needs (Vert.x file cache); the root filesystem stays read-only.
    - name: sluice-tmp
      mountPath: /tmp
    {{- if $v.tls.certificateSecret }}
    - name: sluice-tls
      mountPath: /etc/sluice/tls
      readOnly: true
    {{- end }}
{{- end }}

{{/* The volumes "sluice.sidecar" mounts, as items of the pod's volume list. */}}
{{- define "sluice.volumes" -}}
- name: sluice-tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .Values.tls.certificateSecret }}
- name: sluice-tls
  secret:
    secretName: {{ .Values.tls.certificateSecret }}
{{- end }}
{{- end }}

{{/* Labels of the objects this chart creates (not used in the sidecar, which lives in other charts' pods). */}}
{{- define "sluice.labels" -}}
app.kubernetes.io/name: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the central tier's Deployment and Service. */}}
{{- define "sluice.centralName" -}}
{{- printf "%s-central" (include "sluice.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "regatta.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "regatta.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "regatta.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "regatta.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret the chart makes for the values given inline. */}}
{{- define "regatta.secretName" -}}
{{ include "regatta.fullname" . }}
{{- end -}}

{{/* env entry NAME from a secret value: (list $ "NAME" .Values.x "what it is") */}}
{{- define "regatta.secretEnv" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $value := index . 2 -}}
{{- $what := index . 3 -}}
{{- if not (or $value.existingSecret $value.value) -}}
{{- fail (printf "%s is required: set %s.existingSecret (and .key) or %s.value" $what $what $what) -}}
{{- end }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $value.existingSecret | default (include "regatta.secretName" $root) }}
      key: {{ $value.key }}
{{- end -}}

{{/* What the API and the workers share: Temporal, the database, the secret key, logging. */}}
{{- define "regatta.commonEnv" -}}
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required (host:port of Temporal's frontend)" .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
{{- with .Values.temporal.tls }}
{{- if .enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- if .serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ .serverName | quote }}
{{- end }}
{{- if and .existingSecret .caKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: /etc/regatta/temporal-tls/{{ .caKey }}
{{- end }}
{{- if and .existingSecret .certKey .keyKey }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: /etc/regatta/temporal-tls/{{ .certKey }}
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: /etc/regatta/temporal-tls/{{ .keyKey }}
{{- end }}
{{- end }}
{{- end }}
{{- include "regatta.secretEnv" (list . "DATABASE_URL" .Values.databaseUrl "databaseUrl") }}
{{- include "regatta.secretEnv" (list . "REGATTA_SECRET_KEY" .Values.secretKey "secretKey") }}
- name: REGATTA_DATA_DIR
  value: /var/lib/regatta
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: LOG_PRETTY
  value: "0"
{{- end -}}

{{- define "regatta.volumeMounts" -}}
- name: data
  mountPath: /var/lib/regatta
- name: tmp
  mountPath: /tmp
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/regatta/temporal-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "regatta.volumes" -}}
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret }}
{{- end }}
{{- end -}}

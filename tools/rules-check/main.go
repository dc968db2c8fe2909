// Command rules-check validates Prometheus rules files as `promtool check rules` does and prints,
// as JSON, the metric names each rule's expression selects. It uses only Prometheus' rules-file
// and PromQL parsers, so it builds in a fraction of promtool's time and download.
//
// Usage: rules-check FILE...
//
// Exit code 0 when every file is valid, 1 when any is not (the errors are in the JSON), 2 on
// wrong usage.
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// CheckedFile is what rules-check reports for one rules file.
type CheckedFile struct {
	File string `json:"file"`
	// Errors as rulefmt words them: file, line:column, group, rule number and name, then the cause.
	Errors []string      `json:"errors"`
	Rules  []CheckedRule `json:"rules"`
}

// CheckedRule is one rule of a rules file and the metrics its expression selects.
type CheckedRule struct {
	Group string `json:"group"`
	// Name is the alert's name, or the recorded series' name.
	Name string `json:"name"`
	// Metrics are the names the expression's vector selectors match exactly (`up`,
	// `{__name__="up"}`), sorted; empty when the expression does not parse.
	Metrics []string `json:"metrics"`
}

// promtool's settings for `check rules` without flags: PromQL without experimental features,
// UTF-8 metric and label names, unknown fields in a rules file refused.
var promql = parser.NewParser(parser.Options{})

const (
	nameValidation      = model.UTF8Validation
	ignoreUnknownFields = false
)

func main() {
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		fmt.Fprintln(os.Stderr, "usage: rules-check FILE...")
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	checked := make([]CheckedFile, 0, len(os.Args)-1)
	valid := true
	for _, file := range os.Args[1:] {
		result := checkFile(file, logger)
		valid = valid && len(result.Errors) == 0
		checked = append(checked, result)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	out.SetEscapeHTML(false)
	if err := out.Encode(checked); err != nil {
		fmt.Fprintln(os.Stderr, "rules-check:", err)
		os.Exit(1)
	}
	if !valid {
		os.Exit(1)
	}
}

func checkFile(file string, logger *slog.Logger) CheckedFile {
	result := CheckedFile{File: file, Errors: []string{}, Rules: []CheckedRule{}}
	groups, errs := rulefmt.ParseFile(file, ignoreUnknownFields, nameValidation, promql, logger)
	for _, err := range errs {
		result.Errors = append(result.Errors, err.Error())
	}
	if groups == nil {
		return result
	}
	// promtool lints for duplicates only in a file without errors, and reports them as FAILED
	// (with exit code 0 unless --lint-fatal); here they are errors like any other.
	if len(errs) == 0 {
		for _, duplicate := range duplicateRules(groups.Groups) {
			result.Errors = append(result.Errors, fmt.Sprintf("%s: duplicate rule %s", file, duplicate))
		}
	}
	for _, group := range groups.Groups {
		for _, rule := range group.Rules {
			result.Rules = append(result.Rules, CheckedRule{
				Group:   group.Name,
				Name:    ruleName(rule),
				Metrics: metricNames(rule.Expr),
			})
		}
	}
	return result
}

func ruleName(rule rulefmt.Rule) string {
	if rule.Alert != "" {
		return rule.Alert
	}
	return rule.Record
}

// duplicateRules finds rules with the same name and labels (the group's under the rule's), which
// promtool's default lint reports: two such rules write, or alert on, the same series.
func duplicateRules(groups []rulefmt.RuleGroup) []string {
	seen := map[string]int{}
	var keys []string
	for _, group := range groups {
		for _, rule := range group.Rules {
			merged := map[string]string{}
			maps.Copy(merged, group.Labels)
			maps.Copy(merged, rule.Labels)
			key := ruleName(rule) + labels.FromMap(merged).String()
			if seen[key]++; seen[key] == 2 {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

func metricNames(expr string) []string {
	parsed, err := promql.ParseExpr(expr)
	if err != nil {
		return []string{}
	}
	names := map[string]struct{}{}
	parser.Inspect(parsed, func(node parser.Node, _ []parser.Node) error {
		if selector, ok := node.(*parser.VectorSelector); ok {
			for _, matcher := range selector.LabelMatchers {
				if matcher.Name == model.MetricNameLabel && matcher.Type == labels.MatchEqual {
					names[matcher.Value] = struct{}{}
				}
			}
		}
		return nil
	})
	metrics := slices.Sorted(maps.Keys(names))
	if metrics == nil {
		metrics = []string{} // [] in the JSON, not null: `vector(1)` selects no metric
	}
	return metrics
}

package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// EnvPrefix is the prefix of environment variables: HUBREACH_OUTPUT, HUBREACH_AREA_BUFFER_M, ...
const EnvPrefix = "HUBREACH"

// Load builds the configuration from, in increasing priority: the defaults, the YAML in r (nil
// for none), HUBREACH_* environment variables (env), and the flags that were set. Keys that do not
// exist are errors naming the key; the result is validated.
func Load(r io.Reader, env []string, flags *pflag.FlagSet) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	for key, val := range defaultKeys() {
		v.SetDefault(key, val)
	}
	if r != nil {
		b, err := io.ReadAll(r)
		if err != nil {
			return Config{}, err
		}
		if err := v.ReadConfig(bytes.NewReader(b)); err != nil {
			return Config{}, fmt.Errorf("configuration is not valid YAML: %w", err)
		}
	}
	// Environment: HUBREACH_<KEY with dots as underscores>. Only registered keys bind, which is
	// why every key has a default above. HUBREACH_DATA is a short alias for data_dir.
	envMap := map[string]string{}
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok {
			envMap[k] = val
		}
	}
	keys := v.AllKeys()
	sort.Strings(keys)
	for _, key := range keys {
		name := EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		if val, ok := envMap[name]; ok {
			v.Set(key, envValue(v.Get(key), val))
		}
	}
	if val, ok := envMap[EnvPrefix+"_DATA"]; ok {
		if _, both := envMap[EnvPrefix+"_DATA_DIR"]; !both {
			v.Set("data_dir", val)
		}
	}
	if flags != nil {
		flags.Visit(func(f *pflag.Flag) {
			key, ok := flagKeys[f.Name]
			if !ok {
				return
			}
			v.Set(key, envValue(v.Get(key), f.Value.String()))
		})
	}
	var c Config
	if err := v.UnmarshalExact(&c, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = true
		dc.WeaklyTypedInput = true
	}); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("configuration:\n%w", err)
	}
	return c, nil
}

// LoadFile is Load with a YAML file path ("" for defaults only) and the process environment.
func LoadFile(path string, flags *pflag.FlagSet) (Config, error) {
	var r io.Reader
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return Config{}, fmt.Errorf("configuration file: %w", err)
		}
		defer f.Close()
		r = f
	}
	c, err := Load(r, os.Environ(), flags)
	if err != nil && path != "" {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, err
}

// flagKeys maps command-line flags to configuration keys.
var flagKeys = map[string]string{
	"output":    "output",
	"data":      "data_dir",
	"area":      "area.name",
	"buffer":    "area.buffer_m",
	"threshold": "disclosure.threshold",
}

// envValue turns an environment string into the type of the key's default: lists are
// comma-separated.
func envValue(def any, s string) any {
	switch def.(type) {
	case []string, []any:
		if s == "" {
			return []string{}
		}
		parts := strings.Split(s, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	return s
}

// defaultKeys flattens Default() into viper keys (a.b.c) so every key is registered.
func defaultKeys() map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("mapstructure")
			if tag == "" || tag == "-" {
				continue
			}
			key := tag
			if prefix != "" {
				key = prefix + "." + tag
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct {
				walk(key, fv)
				continue
			}
			if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct {
				// lists of structs (standards, scenarios): encode as []map so viper merges the file's list over it
				var list []map[string]any
				for j := 0; j < fv.Len(); j++ {
					m := map[string]any{}
					_ = mapstructure.Decode(fv.Index(j).Interface(), &m)
					list = append(list, m)
				}
				out[key] = list
				continue
			}
			out[key] = fv.Interface()
		}
	}
	walk("", reflect.ValueOf(Default()))
	return out
}

// FlagNames lists the flags Load understands, for cmd to register.
func FlagNames() map[string]string { return flagKeys }

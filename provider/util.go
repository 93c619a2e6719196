package provider

import "github.com/hashicorp/terraform-plugin-framework/types"

func typesString(s string) types.String { return types.StringValue(s) }
func typesInt64(i int64) types.Int64    { return types.Int64Value(i) }

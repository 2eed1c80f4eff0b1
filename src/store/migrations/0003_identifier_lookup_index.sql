-- 0003: a scan's lookup by value alone (any kind) answered from the index,
-- without a second descent into the table for kind and asset.
CREATE INDEX identifiers_value_kind_asset ON identifiers(value, kind, asset_id);
DROP INDEX identifiers_value;

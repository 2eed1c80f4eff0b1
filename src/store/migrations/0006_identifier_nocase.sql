-- 0006: a scan matches identifiers ignoring ASCII case (`it-00001` finds
-- `IT-00001`, lower-case EPC hex finds its tag), configurable per kind
-- (`[identify] case_sensitive`). The lookup compares upper(value), so it is
-- answered from this index as a range, kind second so that a lookup under one
-- kind narrows to it; asset and value make it covering (no second descent
-- into the table). Values themselves are kept exactly as written: two
-- values that differ only in case stay two, and a scan of either is asked
-- about rather than silently matched to one.
CREATE INDEX identifiers_upper ON identifiers(upper(value), kind, asset_id, value);

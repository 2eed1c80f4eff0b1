-- Receive mode asks, for every unit, whether its serial was received before
-- (`orders::serial_received`): without an index that read every delivery
-- item ever recorded.
CREATE INDEX delivery_items_serial ON delivery_items(serial);

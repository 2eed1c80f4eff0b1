-- Receive mode reads every line's received and damaged units several times a
-- scan (the match, the over-quantity check, the panel). Summing
-- delivery_items for that grew with the delivery: a unit cost more with
-- every unit before it. The sums live on the line instead, kept by triggers
-- in the same transaction as the item, whoever writes it.
ALTER TABLE po_lines ADD COLUMN received_qty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE po_lines ADD COLUMN damaged_qty INTEGER NOT NULL DEFAULT 0;

UPDATE po_lines SET
    received_qty = COALESCE(
        (SELECT SUM(quantity) FROM delivery_items i WHERE i.po_line_id = po_lines.id), 0),
    damaged_qty = COALESCE(
        (SELECT SUM(quantity) FROM delivery_items i
         WHERE i.po_line_id = po_lines.id AND i.damaged = 1), 0);

CREATE TRIGGER delivery_items_count_insert AFTER INSERT ON delivery_items
WHEN NEW.po_line_id IS NOT NULL
BEGIN
    UPDATE po_lines SET
        received_qty = received_qty + NEW.quantity,
        damaged_qty = damaged_qty + CASE WHEN NEW.damaged = 1 THEN NEW.quantity ELSE 0 END
    WHERE id = NEW.po_line_id;
END;

CREATE TRIGGER delivery_items_count_update
AFTER UPDATE OF po_line_id, quantity, damaged ON delivery_items
BEGIN
    UPDATE po_lines SET
        received_qty = received_qty - OLD.quantity,
        damaged_qty = damaged_qty - CASE WHEN OLD.damaged = 1 THEN OLD.quantity ELSE 0 END
    WHERE id = OLD.po_line_id;
    UPDATE po_lines SET
        received_qty = received_qty + NEW.quantity,
        damaged_qty = damaged_qty + CASE WHEN NEW.damaged = 1 THEN NEW.quantity ELSE 0 END
    WHERE id = NEW.po_line_id;
END;

CREATE TRIGGER delivery_items_count_delete AFTER DELETE ON delivery_items
BEGIN
    UPDATE po_lines SET
        received_qty = received_qty - OLD.quantity,
        damaged_qty = damaged_qty - CASE WHEN OLD.damaged = 1 THEN OLD.quantity ELSE 0 END
    WHERE id = OLD.po_line_id;
END;

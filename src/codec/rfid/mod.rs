//! RFID reader frames (being built)

"""复工通 Fugong: a district platform for resuming work after a shutdown."""

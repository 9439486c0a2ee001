-- The boot a runner's process belongs to (/proc/sys/kernel/random/boot_id): a runner on this host
-- and this boot whose process is gone died, and its claims need not wait out their lease.
ALTER TABLE runners ADD COLUMN boot_id TEXT;

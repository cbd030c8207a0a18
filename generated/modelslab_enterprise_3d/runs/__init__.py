"""Production runs of paid generations: the job ledger, waits, downloads, batches over one server or several. The
package's clients (Enterprise3D, AsyncEnterprise3D) are these classes with a method per operation."""

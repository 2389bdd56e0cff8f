"""Running a validation: units of work judged locally or on a Dask cluster, one reducer, the run's verdict."""

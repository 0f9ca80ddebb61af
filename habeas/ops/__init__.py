"""Operations over the whole instance, used by the ``habeas`` command and the demo: data files, synthetic data,
backup and restore, keys."""

"""The bulk path: many cases through the same intake and transitions, written in batches.

- `engine`: `BulkEngine` takes rows (`Row`, its `Step`s) in memory and writes a batch, or
  names every bad row (`Rejected`);
- `writer`: a taken `Batch` stored with one insert per table, here or in a second process
  (`BackgroundWriter`);
- `importing`: `onegrid import cases`, reading CSV or JSON Lines into rows, batch by batch.

The modules are not imported here: the writing process loads `writer` alone.
"""

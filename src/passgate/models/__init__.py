"""Domain values shared by every layer: plain records with no I/O, one module per area.

Import each name from the module that defines it (``passgate.models.users.User``); this
package re-exports nothing. Wire spellings (Descope's camelCase) live in ``web/schemas/``;
how each record is stored, in the ``storage`` modules that map it to its table.
"""

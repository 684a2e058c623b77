"""Geography: coordinate systems (WGS84 ⇄ GCJ-02), grid polygons checked, and the index
that finds the grid containing a point. shapely is imported only by the functions that
need it, never at module top level."""

/**
 * Column types shared by both dialects: UTC timestamps and checked JSON. Referenced by the generated classes.
 */
package dev.foundups.db.types;

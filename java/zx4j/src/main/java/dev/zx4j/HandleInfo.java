package dev.zx4j;

/**
 * What {@code ZX_INFO_HANDLE_BASIC} reports about a handle.
 *
 * @param koid        the object's kernel id
 * @param type        the object's type
 * @param rights      the rights of this handle
 * @param relatedKoid the koid of a related object (a channel's peer…), 0 if none
 */
public record HandleInfo(long koid, ObjectType type, Rights rights, long relatedKoid) {}

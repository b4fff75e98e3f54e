/*
 * measure.h — the code lists of assistance measures (帮扶措施) after
 * registration: their categories (分类分档) and the statuses a measure goes
 * through.  The measure table stores the English codes.
 */
#ifndef LIKA_MEASURE_H
#define LIKA_MEASURE_H

/* measure.status */
#define MEASURE_PLANNED   "planned"
#define MEASURE_RUNNING   "running"
#define MEASURE_DONE      "done"
#define MEASURE_CANCELLED "cancelled"

/* Is C a measure category (production, training, …, housing)? */
int measure_category_known(const char *c);
/* The Chinese label of category C (C itself if unknown). */
const char *measure_category_label(const char *c);
/* The category S names (key, Chinese label or another name, labels.h); NULL if none. */
const char *measure_category_parse(const char *s);
/* Is S a measure status (MEASURE_*)? */
int measure_status_known(const char *s);

#endif

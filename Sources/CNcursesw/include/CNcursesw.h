#ifndef CNCURSESW_H
#define CNCURSESW_H
/* Placeholder: the terminal module's shim is written in issue 3/7. */
#endif

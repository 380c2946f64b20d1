obj-imsg/common/sandbox_landlock.o: common/sandbox_landlock.c \
 common/log.h common/sandbox.h common/sandbox_priv.h
common/log.h:
common/sandbox.h:
common/sandbox_priv.h:
